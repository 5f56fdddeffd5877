"""Build the demo database: a fictional region's institutions, interviewers, fieldwork and a few thousand
interviews, reproducible from a seed. ``make demo`` runs ``surveykit demo build --if-missing``."""

from __future__ import annotations

import argparse
import time

from surveykit.cli.output import print_json
from surveykit.demo import build_demo, default_database_file, demo_exists

NAME = "demo"
HELP = "build the demo database (surveykit demo build)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = sub.add_parser("build", help="create the demo database")
    build.add_argument(
        "--url", help="database URL (default: SURVEYKIT_DATABASE_URL or data/surveykit.sqlite)"
    )
    build.add_argument(
        "--seed", type=int, default=2026, help="random seed (default 2026): same seed, same data"
    )
    build.add_argument("--size", choices=("full", "small"), default="full", help="full (default) or small")
    build.add_argument("--if-missing", action="store_true", help="do nothing when the demo is already there")
    build.add_argument(
        "--plant-falsifiers",
        action="store_true",
        help="two interviewers falsify in the current period (boris avoids filters, vera is too fast), "
        "so the quality-control view has cases to show",
    )
    build.add_argument("--fresh", action="store_true", help="delete the embedded SQLite file first")


def run(args: argparse.Namespace) -> int:
    exists = demo_exists(args.url)
    if exists and args.if_missing:
        print(f"the demo database is already there ({args.url or 'the configured database'}); nothing to do")
        return 0
    if exists and not args.fresh:
        print("the database already holds the demo: add --fresh to rebuild it from scratch (SQLite only)")
        return 1
    if args.fresh:
        target = default_database_file() if args.url is None else None
        if args.url and args.url.startswith("sqlite:///"):
            from pathlib import Path

            target = Path(args.url.removeprefix("sqlite:///"))
        if target is None:
            print("--fresh only deletes an embedded SQLite file; empty a PostgreSQL database yourself")
            return 1
        for suffix in ("", "-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
    start = time.perf_counter()
    summary = build_demo(
        args.url,
        seed=args.seed,
        size=args.size,
        progress=None if args.json else print,
        plant_falsifiers=args.plant_falsifiers,
    )
    if args.json:
        print_json(
            {
                "database": summary.database,
                "seed": summary.seed,
                "counts": summary.counts,
                "logins": summary.logins,
            }
        )
    else:
        print("\n".join(summary.lines()))
        print(f"built in {time.perf_counter() - start:.1f} s")
    return 0
