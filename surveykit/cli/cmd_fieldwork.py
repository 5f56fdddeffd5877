"""Fieldwork: contact attempts and their AAPOR dispositions, paper contact logs, the outcome rates.

  surveykit fieldwork contacts import FILE --period P [--questionnaire Q]
                                                           a paper contact log (CSV or XLSX): case_id,
                                                           institution_id, interviewer_id, attempted_at, mode,
                                                           disposition [, note, appointment_at]; all or
                                                           nothing, every bad row reported with its row
  surveykit fieldwork contacts export FILE [--period P] [--pseudonymise]
                                                           the contact log as .csv, .xlsx or .sav
  surveykit fieldwork cases --period P [--open]            one line per case: attempts and final outcome
  surveykit fieldwork rates --period P [--by institution|interviewer|mode] [--e VALUE] [--csv FILE]
                                                           counts I, P, R, NC, O, UH, UO, NE and e, and the
                                                           AAPOR rates RR1-RR6, COOP1-COOP4, REF1-REF3, CON1-CON3

Rates follow AAPOR Standard Definitions (2016); e is estimated by the CASRO method within each group unless
--e is given; a rate whose denominator is 0 is not defined ("—", an empty cell in --csv). Times in a paper log
without a time zone are local times of the fieldwork (questionnaires/quality/rules.yaml, timezone).
docs/fieldwork.md.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from surveykit.cli.output import print_json
from surveykit.errors import ConfigError, ErrorCode, Location
from surveykit.i18n import t

NAME = "fieldwork"
HELP = "contact attempts (paper logs, export), cases and the AAPOR outcome rates"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("section", choices=("contacts", "cases", "rates"), help="what to work on")
    parser.add_argument("values", nargs="*", help="contacts: import FILE | export FILE")
    parser.add_argument("--period", help="the period (required for import, cases and rates)")
    parser.add_argument("--by", dest="breakdown", choices=("institution", "interviewer", "mode"),
                        help="rates: one row per institution, interviewer or mode (plus 'all')")  # fmt: skip
    parser.add_argument(
        "--e", type=float, help="rates: the eligibility share of unknown cases (default: CASRO)"
    )
    parser.add_argument("--csv", help="rates: also write the table to this CSV file")
    parser.add_argument("--open", action="store_true", help="cases: only cases still to be worked")
    parser.add_argument("--pseudonymise", action="store_true", help="contacts export: hide interviewer ids")
    parser.add_argument(
        "--questionnaire", help="contacts import: the survey of the cases (default: the profile's)"
    )
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--actor", help="who is recorded in the audit log (default: operator)")


def _usage(detail: str, fix: str) -> ConfigError:
    return ConfigError(ErrorCode.OPTION_CONFLICT, Location(), detail=detail, fix=fix)


def _period(args: argparse.Namespace, example: str) -> str:
    if not args.period:
        raise _usage(
            f"fieldwork {args.section} needs --period", f"Run `surveykit fieldwork {example} --period 2026`."
        )
    return args.period


def run(args: argparse.Namespace) -> int:
    from surveykit.access import OPERATOR, require
    from surveykit.store import Store

    if args.e is not None and not 0 <= args.e <= 1:
        raise _usage(f"--e {args.e} is not a share", "Give e between 0 and 1, e.g. --e 0.8.")
    require(OPERATOR, "interviews.read_all")
    with Store.open(args.url) as store:
        if args.section == "contacts":
            return _contacts(args, store, OPERATOR)
        if args.section == "cases":
            return _cases(args, store)
        return _rates(args, store)


def _contacts(args: argparse.Namespace, store: Any, operator: Any) -> int:
    from surveykit.access import require
    from surveykit.fieldwork.contacts import export_contacts, import_contacts

    if len(args.values) != 2 or args.values[0] not in ("import", "export"):
        raise _usage("fieldwork contacts needs import FILE or export FILE",
                     "Run `surveykit fieldwork contacts import log.csv --period 2026`.")  # fmt: skip
    action, path = args.values
    if action == "import":
        require(operator, "interviews.import")
        result = import_contacts(store, path, period=_period(args, "contacts import log.csv"),
                                 questionnaire_id=args.questionnaire, by=args.actor or operator.id)  # fmt: skip
        if args.json:
            print_json({"ok": True, **result.to_dict()})
        else:
            print(t("fieldwork.cli_contacts", args.lang, file=path, attempts=result.attempts,
                    cases=result.cases_created, period=result.period))  # fmt: skip
        return 0
    require(operator, "exports.microdata")
    written, count = export_contacts(store, path, period=args.period, language=args.lang,
                                     pseudonymise=args.pseudonymise)  # fmt: skip
    if args.json:
        print_json({"ok": True, "written": str(written), "attempts": count})
    else:
        print(t("fieldwork.cli_written", args.lang, path=str(written), rows=count))
    return 0


def _cases(args: argparse.Namespace, store: Any) -> int:
    from surveykit.fieldwork import dispositions as D

    frame = store.fieldwork.cases_frame(period=_period(args, "cases"))
    if args.open:
        frame = frame[frame["open"]]
    frame = frame.assign(
        outcome=[D.label(c, args.lang) if c else t("category.open", args.lang) for c in frame["final"]]
    )
    columns = ["code", "institution_id", "interviewer_id", "attempts", "last_at", "mode", "final", "category",
               "outcome", "appointment_at"]  # fmt: skip
    frame = frame[columns]
    if args.json:
        print_json({"ok": True, "rows": frame.astype(object).where(frame.notna(), None).to_dict("records")})
    elif frame.empty:
        print(t("fieldwork.cli_no_cases", args.lang, period=args.period))
    else:
        print(frame.astype(object).fillna("").to_string(index=False))
    return 0


def _cell(value: Any, percent: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.1f}%" if percent else (f"{value:.3f}" if isinstance(value, float) else str(value))


def _rates(args: argparse.Namespace, store: Any) -> int:
    from surveykit.fieldwork.contacts import rates_table
    from surveykit.fieldwork.rates import RATE_NAMES

    period = _period(args, "rates")
    cases = store.fieldwork.cases_frame(period=period)
    table = rates_table(cases, by=args.breakdown, e=args.e)
    written = None
    if args.csv:
        from surveykit.spreadsheet import write_csv

        write_csv(args.csv, table)  # guarded text cells; SK707 when it cannot be written
        written = args.csv
    if args.json:
        rows = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
                for row in table.astype(object).to_dict("records")]  # fmt: skip
        print_json({"ok": True, "period": period, "by": args.breakdown, "e_given": args.e, "written": written,
                    "rows": rows})  # fmt: skip
        return 0
    if cases["final"].notna().sum() == 0:
        print(t("fieldwork.cli_no_cases", args.lang, period=period))
    shown = table.copy().astype(object)
    for column in shown.columns:
        if column in RATE_NAMES or column == "e":
            shown[column] = [_cell(v, column != "e") for v in table[column]]
    print(shown.to_string(index=False))
    print(t("fieldwork.cli_rates_note", args.lang))
    if written:
        print(t("fieldwork.cli_written", args.lang, path=written, rows=len(table)))
    return 0
