"""Run every benchmark: ``python -m benchmarks.run [--quick] [name ...]``.

Prints each figure with its same-run baseline and ratio, and writes JSON to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(names: list[str]) -> list[str]:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
        unknown = wanted - set(modules)
        if unknown:
            raise SystemExit(
                f"unknown benchmark(s): {', '.join(sorted(unknown))}; available: {', '.join(modules)}"
            )
        modules = [m for m in modules if m in wanted]
    return modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all), e.g. validate scoring")
    parser.add_argument(
        "--quick", action="store_true", help="small data: a smoke run, figures not meaningful"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for the JSON results")
    args = parser.parse_args(argv)

    results, failures = [], []
    for name in discover(args.names):
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            for m in module.run(quick=args.quick):
                print("  " + m.line(), flush=True)
                results.append({"benchmark": name, **m.to_dict()})
        except Exception:  # one failing benchmark must not hide the others
            failures.append(name)
            traceback.print_exc()
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "quick": args.quick,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
        "results": results,
        "failed": failures,
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in (args.out / f"{stamp}.json", args.out / "latest.json"):
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"results: {args.out / 'latest.json'}" + (f"; FAILED: {', '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
