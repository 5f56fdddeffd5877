"""Run many small matrix products on one BLAS thread.

The near-duplicate check multiplies thousands of ~1000 x 40 matrices (one per institution). OpenBLAS splits
each product over all cores; for products this small the threads gain little on an idle machine, and on a
busy one (other processes on two cores) every product waits for its threads: measured here, 2 ms on one
thread against 20-30 ms on two. :func:`single_threaded_blas` sets the OpenBLAS that numpy uses to one
thread for the duration of a ``with`` block and restores the previous setting; where numpy uses another
BLAS (MKL, Accelerate) or the OpenBLAS functions cannot be found it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["single_threaded_blas"]

_SETTERS = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads")


@functools.cache
def _openblas() -> tuple[object, object] | None:
    """The (get, set) thread-count functions of the OpenBLAS bundled with numpy, or ``None``."""
    try:
        import numpy

        folder = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
        candidates = sorted(folder.glob("*openblas*")) if folder.is_dir() else []
        for path in candidates:
            library = ctypes.CDLL(str(path))  # already loaded by numpy: the same handle
            for get_name, set_name in zip(_GETTERS, _SETTERS, strict=True):
                getter = getattr(library, get_name, None)
                setter = getattr(library, set_name, None)
                if getter is not None and setter is not None:
                    getter.restype = ctypes.c_int
                    setter.argtypes = [ctypes.c_int]
                    return getter, setter
    except OSError:
        return None
    return None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """One OpenBLAS thread inside the block (see the module docstring)."""
    functions = _openblas()
    if functions is None:
        yield
        return
    getter, setter = functions
    before = int(getter())
    setter(1)
    try:
        yield
    finally:
        setter(before)
