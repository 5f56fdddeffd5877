"""The register of institutions (social-service providers): import, list, export.

  surveykit institutions import FILE      a register as CSV or XLSX: institution_id, name, type, region,
                                           municipality [, address, website, recipients]; all or nothing,
                                           every bad row reported with its row; a re-import updates what
                                           changed (audited with the values before and after)
  surveykit institutions list             the register
  surveykit institutions export FILE      the register as .csv, .xlsx or .sav (the import reads it back)

``recipients`` is the number of service recipients in the period: the population of the methodology's sample
rule (`surveykit campaign plan`). The database is SURVEYKIT_DATABASE_URL or --url. docs/fieldwork.md.
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json
from surveykit.errors import ConfigError, ErrorCode, Location
from surveykit.i18n import t

NAME = "institutions"
HELP = "the register of institutions: import (CSV/XLSX, all or nothing), list, export"

ACTIONS = ("import", "list", "export")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to do")
    parser.add_argument("file", nargs="?", help="import: the register (.csv, .xlsx); export: where to write")
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--by", help="who is recorded in the audit log (default: operator)")


def run(args: argparse.Namespace) -> int:
    from surveykit.access import OPERATOR, require
    from surveykit.fieldwork.register import export_register, import_register, register_frame
    from surveykit.store import Store

    if args.action in ("import", "export") and not args.file:
        raise ConfigError(ErrorCode.OPTION_CONFLICT, Location(), detail=f"institutions {args.action} needs a FILE",
                          fix=f"Run `surveykit institutions {args.action} register.xlsx`.")  # fmt: skip
    require(OPERATOR, "people.read" if args.action == "list" else "fieldwork.manage")
    with Store.open(args.url) as store:
        if args.action == "import":
            result = import_register(store, args.file, by=args.by or OPERATOR.id)
            if args.json:
                print_json({"ok": True, **result.to_dict()})
            else:
                print(t("fieldwork.cli_register", args.lang, file=args.file, created=len(result.created),
                        updated=len(result.updated), unchanged=len(result.unchanged)))  # fmt: skip
            return 0
        if args.action == "export":
            path = export_register(store, args.file)
            if args.json:
                print_json({"ok": True, "written": str(path), "institutions": len(store.institutions())})
            else:
                print(t("fieldwork.cli_written", args.lang, path=str(path), rows=len(store.institutions())))
            return 0
        frame = register_frame(store)
        if args.json:
            print_json(
                {"ok": True, "rows": frame.astype(object).where(frame.notna(), None).to_dict("records")}
            )
        elif frame.empty:
            print(t("fieldwork.cli_no_institutions", args.lang))
        else:
            print(frame.astype(object).fillna("").to_string(index=False))
    return 0
