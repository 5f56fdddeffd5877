"""The order in which calculations must be computed, from the references of their expressions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from surveykit.errors import ErrorCode, ExpressionError, Location

__all__ = ["dependency_order"]


def dependency_order(
    dependencies: Mapping[str, Iterable[str]], *, location: Location | None = None
) -> list[str]:
    """The codes of ``dependencies`` so that each comes after the codes it depends on.

    ``dependencies[code]`` lists the codes that ``code``'s expressions refer to (e.g.
    ``expr.references``); codes that are not keys are inputs and are ignored. Among codes that could go
    in any order, the order of ``dependencies`` is kept. A cycle raises EXPR_CYCLE naming it
    (``a -> b -> a``).
    """
    graph = {
        code: [d for d in dict.fromkeys(deps) if d in dependencies] for code, deps in dependencies.items()
    }
    order: list[str] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in graph:
        if state.get(root):
            continue
        path = [root]
        iters = [iter(graph[root])]
        state[root] = 1
        while iters:  # depth-first, with an explicit stack
            nxt = next(iters[-1], None)
            if nxt is None:
                done = path.pop()
                iters.pop()
                state[done] = 2
                order.append(done)
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                raise ExpressionError(ErrorCode.EXPR_CYCLE, location, cycle=" -> ".join(cycle))
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(graph[nxt]))
    return order
