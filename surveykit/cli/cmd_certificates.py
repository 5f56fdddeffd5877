"""Issue, verify, revoke and list certificates and diplomas.

  surveykit certificates keygen [--force]                 create the issuer's signing key (once)
  surveykit certificates issue PEOPLE.csv --template T    a batch from a CSV (name, roles, hours, person_id,
        [--field region=...] [--language bilingual]       template fields such as place, nomination ...);
        [--out DIR] [--register]                          --register stores the records of known people
  surveykit certificates issue --cohort C | --person P    interviewer certificates for trainees who meet every
                                                          rule (stored in the register)
  surveykit certificates verify TEXT [--name NAME]        a serial, a QR link or payload, or a record file
  surveykit certificates revoke|suspend|reinstate SERIAL --reason TEXT [--by PERSON]
  surveykit certificates list [--person P] [--status S]

Templates: ``interviewer`` (the course certificate) and ``best-social-worker-finalist`` (a diploma), or the
path of a template file (docs/certificates.md). The register is the response store (SURVEYKIT_DATABASE_URL
or --url). Exit code 1 when anything failed, and for ``verify`` unless the certificate is valid.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from surveykit.cli.output import print_json
from surveykit.errors import CertificateError, ErrorCode, Location

NAME = "certificates"
HELP = "issue, verify, revoke, suspend and list certificates and diplomas"

ACTIONS = ("keygen", "issue", "verify", "revoke", "suspend", "reinstate", "list")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to do")
    parser.add_argument(
        "target", nargs="?", help="issue: PEOPLE.csv; verify: TEXT or a record file; revoke ...: SERIAL"
    )
    parser.add_argument("--url", help="database URL of the register (default: the database_url setting)")
    parser.add_argument("--key", help="the issuer's private key (default: the signing_key setting)")
    parser.add_argument("--force", action="store_true", help="keygen: replace an existing key")
    parser.add_argument(
        "--template", default="interviewer", help="issue: template name or file (default interviewer)"
    )
    parser.add_argument("--language", choices=("ru", "en", "bilingual"), help="issue: language of the PDF")
    parser.add_argument("--out", help="issue: output folder (default data/certificates/batch-...)")
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="issue: a template field for everyone",
    )
    parser.add_argument(
        "--register", action="store_true", help="issue from CSV: store the records in the register"
    )
    parser.add_argument("--cohort", help="issue: every member of this cohort who meets the rules")
    parser.add_argument(
        "--person", action="append", default=[], help="issue: this trainee (repeatable); list: filter"
    )
    parser.add_argument("--name", help="verify: the holder's name as on an ID card")
    parser.add_argument(
        "--offline", action="store_true", help="verify without the register (QR codes and records)"
    )
    parser.add_argument("--reason", help="revoke / suspend / reinstate: why (required, audited)")
    parser.add_argument("--by", help="person id recorded in the audit log")
    parser.add_argument("--status", choices=("valid", "suspended", "revoked"), help="list: only this status")


def _missing(option: str, fix: str) -> CertificateError:
    return CertificateError(
        ErrorCode.OPTION_CONFLICT, Location(field=option), detail=f"{option} is needed here", fix=fix
    )


def _store(args: argparse.Namespace) -> Any:
    from surveykit.store import Store

    return Store.open(args.url)


def _key(args: argparse.Namespace) -> Any:
    from surveykit.certificates import load_key

    return load_key(args.key)


def run(args: argparse.Namespace) -> int:
    return {
        "keygen": _keygen,
        "issue": _issue,
        "verify": _verify,
        "revoke": _status,
        "suspend": _status,
        "reinstate": _status,
        "list": _list,
    }[args.action](args)


# --- keygen ---------------------------------------------------------------------------------------------------
def _keygen(args: argparse.Namespace) -> int:
    from surveykit.certificates import generate_key, public_key_path
    from surveykit.config import settings

    path = Path(args.key) if args.key else settings().signing_key
    key = generate_key(path, overwrite=args.force)
    public = public_key_path(path)
    if args.json:
        print_json(
            {"ok": True, "key": str(path), "public_key": str(public), "fingerprint": key.public.fingerprint}
        )
    else:
        print(f"signing key: {path}\npublic key:  {public}\nfingerprint: {key.public.fingerprint}")
    return 0


# --- issue ------------------------------------------------------------------------------------------------------
class _Bar:
    """A one-line progress bar on stderr (only on a terminal-like stream, never in --json output)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, step: Any) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * step.fraction)
        print(
            f"\r[{'#' * filled}{' ' * (width - filled)}] {step.done}/{step.total} {step.phase:<5}",
            end="",
            file=sys.stderr,
        )
        if step.phase == "done":
            print(file=sys.stderr)


def _fields(values: list[str]) -> dict[str, str]:
    fields = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise CertificateError(
                ErrorCode.FIELD_INVALID,
                Location(field="--field"),
                field="--field",
                detail=f"'{value}' is not NAME=VALUE",
                fix="Write --field region='Свердловской области'.",
            )
        fields[name.strip()] = text
    return fields


def _issue(args: argparse.Namespace) -> int:
    if args.cohort or args.person:
        return _issue_trainees(args)
    if not args.target:
        raise _missing(
            "PEOPLE.csv",
            "Run `surveykit certificates issue people.csv --template interviewer`, or pass --cohort.",
        )
    from surveykit.certificates import issue_batch

    path = Path(args.target)
    if not path.is_file():
        from surveykit.errors import SurveykitError

        raise SurveykitError(
            ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=str(Path.cwd())
        )
    with path.open(encoding="utf-8-sig", newline="") as fh:
        people = list(csv.DictReader(fh))
    out = Path(args.out) if args.out else None
    summary = issue_batch(
        people,
        args.template,
        _key(args),
        out,
        _Bar(not args.json),
        language=args.language,
        fields=_fields(args.field),
    )
    registered: list[str] = []
    not_registered: list[dict[str, str]] = []
    replaced: dict[str, list[str]] = {}
    if args.register and summary.issued:
        from surveykit.certificates.registry_store import StoreRegistry

        with _store(args) as store:
            registry = StoreRegistry(store)
            for item in summary.issued:
                try:
                    registry.register(item.certificate, by=args.by)
                except Exception as err:  # keep going: the summary names every record not stored
                    problem = getattr(err, "problem", None)
                    not_registered.append(
                        {"serial": item.serial, "holder": item.holder, "reason": str(problem or err)}
                    )
                else:
                    registered.append(item.serial)
                    if old := registry.replaced(item.serial):
                        replaced[item.serial] = old
    if args.json:
        print_json(
            {
                "ok": summary.ok and not not_registered,
                **summary.to_dict(),
                "registered": registered,
                "replaced": replaced,
                "not_registered": not_registered,
            }
        )
    else:
        print(summary)
        if args.register:
            print(f"  stored in the register: {len(registered)}")
            for serial, old in replaced.items():
                print(f"  {serial} replaces {', '.join(old)} (the earlier one is revoked)")
            for entry in not_registered:
                print(f"  NOT STORED {entry['serial']} ({entry['holder']}): {entry['reason']}")
    return 0 if summary.ok and not not_registered else 1


def _issue_trainees(args: argparse.Namespace) -> int:
    from surveykit.training.service import TrainingService

    with _store(args) as store:
        service = TrainingService(store, key=_key(args))
        people = list(args.person)
        if args.cohort:
            people += [p for p in store.training.cohort_members(args.cohort) if p not in people]
        outcome = service.issue_cohort(
            people, progress=_Bar(not args.json), out_dir=args.out, by=args.by, language=args.language
        )
    if args.json:
        print_json(
            {
                "ok": outcome.summary.ok and not outcome.not_registered,
                **outcome.summary.to_dict(),
                "registered": outcome.registered,
                "replaced": dict(outcome.replaced),
                "skipped": [{"person_id": p, "name": n, "reasons": r} for p, n, r in outcome.skipped],
                "not_registered": [{"serial": s, "reason": m} for s, m in outcome.not_registered],
            }
        )
    else:
        print("\n".join(outcome.lines(args.lang, paths=True)))
    return 0 if outcome.summary.ok and not outcome.not_registered else 1


# --- verify -------------------------------------------------------------------------------------------------------
def _verify(args: argparse.Namespace) -> int:
    from surveykit.certificates import load_public_key, verify

    if not args.target:
        raise _missing("TEXT", "Pass a serial, a QR link or payload, or the path of a record (.json).")
    text: str = args.target
    candidate = Path(text)
    if len(text) < 4096 and candidate.suffix.lower() in (".json", ".jsonl") and candidate.is_file():
        text = candidate.read_text(encoding="utf-8").strip().splitlines()[0]
    keys = [load_public_key(args.key)] if args.key else None
    if args.offline:
        result = verify(text, keys=keys, name=args.name)
    else:
        from surveykit.certificates.registry_store import StoreRegistry

        with _store(args) as store:
            result = verify(text, keys=keys, registry=StoreRegistry(store), name=args.name)
    if args.json:
        print_json(result.to_dict())
    else:
        print(f"{result.status.value}: {result.message(args.lang)}")
        if result.holder:
            print(f"  {result.holder} · {result.serial}")
    return 0 if result.ok else 1


# --- revoke / suspend / reinstate -------------------------------------------------------------------------------------
def _status(args: argparse.Namespace) -> int:
    from surveykit.access import OPERATOR
    from surveykit.certificates.registry_store import StoreRegistry

    if not args.target:
        raise _missing(
            "SERIAL", f"Run `surveykit certificates {args.action} SK-2026-XXXX-XXXX --reason '...'`."
        )
    if not (args.reason or "").strip():
        raise _missing("--reason", "Say why; the reason is shown by verification and kept in the audit log.")
    with _store(args) as store:
        registry = StoreRegistry(store)
        # the command line acts as the operator unless --by names the person deciding (store/actors.py)
        getattr(registry, args.action)(args.target, reason=args.reason, by=args.by or OPERATOR.id)
        record = store.training.certificate(_canonical(args.target))
    if args.json:
        print_json(
            {"ok": True, "serial": record.serial, "status": record.status, "reason": record.status_reason}
        )
    else:
        print(f"{record.serial}: {record.status} ({record.status_reason})")
    return 0


def _canonical(text: str) -> str:
    from surveykit.certificates import normalize_serial

    return normalize_serial(text) or text


# --- list -------------------------------------------------------------------------------------------------------------
def _list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        records = store.training.certificates()
    rows = [
        {
            "serial": r.serial,
            "person_id": r.person_id,
            "holder": (r.record.get("credentialSubject") or {}).get("name", ""),
            "roles": list(r.roles),
            "issued_at": r.issued_at.isoformat(),
            "valid_until": r.valid_until.isoformat() if r.valid_until else None,
            "status": r.status,
            "reason": r.status_reason,
        }
        for r in records
        if (not args.person or r.person_id in args.person) and (not args.status or r.status == args.status)
    ]
    if args.json:
        print(json.dumps({"ok": True, "certificates": rows}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no certificates")
        return 0
    for row in rows:
        until = (row["valid_until"] or "—")[:10]
        reason = f" ({row['reason']})" if row["reason"] else ""
        print(
            f"{row['serial']}  {row['status']:<9} {row['issued_at'][:10]} → {until}  {row['holder']} [{', '.join(row['roles'])}]{reason}"
        )
    return 0
