"""Create, upgrade and inspect the response store.

  surveykit db upgrade              create the database (and its folder) or bring it to the current schema
  surveykit db current              show the schema revision and whether an upgrade is needed (exit 1 if so)
  surveykit db publish FILE ...     publish questionnaire versions (frozen; the same content again is fine)
  surveykit db backup -o FILE       the whole database as one archive (zip: manifest + a JSONL per table)
  surveykit db restore FILE         restore an archive into an EMPTY database (--url; created if missing);
                                    only archives this installation signed, unless --trust-foreign-archive

The database is the setting SURVEYKIT_DATABASE_URL (default: the SQLite file data/surveykit.sqlite), or --url.
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json, print_report

NAME = "db"
HELP = "create, upgrade and inspect the response store; publish questionnaires into it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=("upgrade", "current", "publish", "backup", "restore"), help="what to do"
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="questionnaire files (publish); the archive (restore)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="the archive to write (backup)")
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--by", help="person id recorded in the audit log (publish)")
    parser.add_argument(
        "--trust-foreign-archive",
        action="store_true",
        help="restore: accept an archive this installation did not sign (another server's, an older "
        "surveykit's); recorded in the audit log",
    )


def run(args: argparse.Namespace) -> int:
    from surveykit.store import Store

    if args.action == "upgrade":
        before, after = Store.upgrade(args.url)
        revision = Store.revision(args.url)
        if args.json:
            print_json({"ok": True, "url": revision.url, "before": before, "after": after})
        elif before == after:
            print(f"{revision.url}: already at revision {after}")
        else:
            print(f"{revision.url}: upgraded from {before or 'an empty database'} to revision {after}")
        return 0
    if args.action == "current":
        revision = Store.revision(args.url)
        if args.json:
            print_json(
                {
                    "ok": revision.up_to_date,
                    "url": revision.url,
                    "current": revision.current,
                    "head": revision.head,
                }
            )
        else:
            state = "up to date" if revision.up_to_date else "run `surveykit db upgrade`"
            print(
                f"{revision.url}: revision {revision.current or 'none (not created yet)'}, "
                f"this surveykit needs {revision.head}: {state}"
            )
        return 0 if revision.up_to_date else 1
    if args.action in ("backup", "restore"):
        return _backup_or_restore(args)
    return _publish(args)


def _backup_or_restore(args: argparse.Namespace) -> int:
    from surveykit.errors import ConfigError, ErrorCode, Location
    from surveykit.store import Store

    def usage(fix: str) -> ConfigError:
        return ConfigError(
            ErrorCode.OPTION_CONFLICT, Location(), detail=f"{args.action} needs a file", fix=fix
        )

    if args.action == "backup":
        if not args.output or args.files:
            raise usage("Run `surveykit db backup -o backups/surveykit-2026-03-01.zip`.")
        with Store.open(args.url) as store:
            summary = store.backup(args.output)
    else:
        if len(args.files) != 1 or args.output:
            raise usage(
                "Run `surveykit db restore backups/surveykit-2026-03-01.zip --url URL_OF_AN_EMPTY_DATABASE`."
            )
        summary = Store.restore(args.files[0], args.url, trust_foreign=args.trust_foreign_archive)
    if args.json:
        print_json(
            {
                "ok": True,
                "action": args.action,
                "file": str(summary.path),
                "revision": summary.revision,
                "rows": summary.rows,
            }
        )
    else:
        done = "written" if args.action == "backup" else "restored"
        print(
            f"{summary.path}: {summary.total_rows} rows in {len(summary.rows)} tables {done} "
            f"(schema revision {summary.revision})"
        )
    return 0


def _publish(args: argparse.Namespace) -> int:
    from surveykit.errors import ErrorCode, Location, Report
    from surveykit.questionnaire.io import read_questionnaire
    from surveykit.store import Store

    if not args.files:
        report = Report()
        report.add(
            ErrorCode.OPTION_CONFLICT,
            Location(),
            detail="publish needs questionnaire files",
            fix="Run `surveykit db publish questionnaires/recipient_survey.yaml`.",
        )
        print_report(report, args.lang)
        return 2
    failed = False
    published = []
    with Store.open(args.url) as store:
        for file in args.files:
            result = read_questionnaire(file)
            if not result.ok:
                failed = True
                result.report.subject = file
                if not args.json:
                    print_report(result.report, args.lang)
                continue
            version = store.publish(result.questionnaire, by=args.by)
            published.append(
                {"file": file, "questionnaire": version.key, "content_hash": version.content_hash}
            )
            if not args.json:
                print(f"{file}: published {version.key} ({version.content_hash[:12]})")
    if args.json:
        print_json({"ok": not failed, "published": published})
    return 1 if failed else 0
