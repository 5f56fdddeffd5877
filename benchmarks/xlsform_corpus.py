"""Measure how surveykit reads a folder of XLSForms that pyxform converts (e.g. pyxform's own test forms).

    python benchmarks/xlsform_corpus.py FOLDER [--verbose]

For every .xlsx/.xlsm/.xls file under FOLDER: does pyxform (the converter behind ODK and KoboToolbox) convert
it, and if so, does surveykit load it as it is, load it with --skip-unsupported (types it does not collect left
out, each named), or refuse it - and with which codes. pyxform's own test forms come with its older source
distributions (``pip download pyxform==0.15.1 --no-binary :all: --no-deps``: tests/example_xls and
tests/bug_example_xls). Nothing here is a test: it prints counts for docs/xlsform.md.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from pyxform.xls2xform import convert

    from surveykit.questionnaire.xlsform import read_xlsform

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"))
    outcome: collections.Counter[str] = collections.Counter()
    codes: collections.Counter[str] = collections.Counter()
    for path in files:
        try:
            convert(str(path), warnings=[])
        except Exception as err:  # pyxform refuses it: not part of the measure
            outcome["refused by pyxform"] += 1
            if args.verbose:
                print(f"pyxform refuses {path.name}: {str(err)[:100]}")
            continue
        outcome["converted by pyxform"] += 1
        plain = read_xlsform(path)
        if plain.ok:
            outcome["loads"] += 1
            verdict = "loads"
        elif read_xlsform(path, skip_unsupported=True).ok:
            outcome["loads with --skip-unsupported"] += 1
            verdict = "loads with --skip-unsupported"
        else:
            outcome["refused by surveykit"] += 1
            verdict = "refused"
        errors = sorted({p.code.code for p in plain.report.errors})
        codes.update(errors)
        if args.verbose:
            print(f"{verdict:32} {path.name}  {' '.join(errors)}")
            if verdict == "refused":
                for problem in plain.report.errors[:3]:
                    print(f"    {problem}")
    for key in (
        "converted by pyxform",
        "loads",
        "loads with --skip-unsupported",
        "refused by surveykit",
        "refused by pyxform",
    ):
        print(f"{key}: {outcome[key]}")
    print("error codes (forms):", dict(codes.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
