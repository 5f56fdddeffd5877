"""People and their accounts: who may sign in to the apps, with which roles.

  surveykit users list [--role R]                       everyone: login, roles, active, locked until
  surveykit users add ID "NAME" --roles R[,R] [--login L] [--code C]   prints the access code ONCE
  surveykit users roles PERSON --roles R[,R]            give exactly these roles
  surveykit users reset-code PERSON [--code C]          a new access code, printed ONCE (also lifts a lock)
  surveykit users deactivate PERSON                     no more sign-ins; open sessions end now
  surveykit users activate PERSON                       reactivate
  surveykit users unlock PERSON                         lift a lock-out after failed sign-ins

PERSON is a person id or a login. Every change is in the audit log with --by (default: operator). The
command line acts as the operator (surveykit.access.OPERATOR): whoever can run it already holds the database.
"""

from __future__ import annotations

import argparse
from typing import Any

from surveykit.cli.output import print_json
from surveykit.errors import ConfigError, ErrorCode, Location

NAME = "users"
HELP = "administrators: people, roles, access codes, deactivation and unlocking"

ACTIONS = ("list", "add", "roles", "reset-code", "deactivate", "activate", "unlock")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to do")
    parser.add_argument("values", nargs="*", help="add: ID NAME; the others: PERSON (id or login)")
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--roles", help="comma-separated roles (add, roles), e.g. interviewer,trainee")
    parser.add_argument("--role", help="list: only people with this role")
    parser.add_argument("--login", help="add: the login (default: a new short code)")
    parser.add_argument("--code", help="add, reset-code: the access code (default: a new random one)")
    parser.add_argument("--by", help="who is recorded in the audit log (default: operator)")


def _usage(detail: str, fix: str) -> ConfigError:
    return ConfigError(ErrorCode.OPTION_CONFLICT, Location(), detail=detail, fix=fix)


def _roles(args: argparse.Namespace) -> list[str]:
    roles = [r.strip() for r in (args.roles or "").split(",") if r.strip()]
    if not roles:
        raise _usage(
            f"{args.action} needs --roles", "Add e.g. `--roles interviewer` or `--roles supervisor,trainer`."
        )
    return roles


def resolve(store: Any, key: str) -> str:
    """The person id for an id or a login (SK503 with a suggestion when neither is known)."""
    everyone = store.people()
    for person in everyone:
        if person.id == key:
            return person.id
    for person in everyone:
        if person.login == key.strip().upper():
            return person.id
    return store.person(key).id  # raises SK503 with "did you mean"


def run(args: argparse.Namespace) -> int:
    from surveykit.access import OPERATOR, require
    from surveykit.store import Store

    require(OPERATOR, "people.read" if args.action == "list" else "people.manage")
    by = args.by or OPERATOR.id
    with Store.open(args.url) as store:
        if args.action == "list":
            return _list(args, store)
        if args.action == "add":
            if len(args.values) != 2:
                raise _usage(
                    "add needs ID and NAME",
                    'Run `surveykit users add anna "Anna Ivanova" --roles interviewer`.',
                )
            person_id, name = args.values
            code = args.code or _new_code()
            person = store.add_person(
                person_id, name, _roles(args), login=args.login, access_code=code, by=by
            )
            return _show(args, person, code=code)
        if len(args.values) != 1:
            raise _usage(
                f"{args.action} needs one PERSON (an id or a login)",
                f"Run `surveykit users {args.action} anna`.",
            )
        person_id = resolve(store, args.values[0])
        if args.action == "roles":
            return _show(args, store.set_roles(person_id, _roles(args), by=by))
        if args.action == "reset-code":
            code = store.set_access_code(person_id, args.code, by=by)
            return _show(args, store.person(person_id), code=code)
        if args.action == "deactivate":
            return _show(args, store.deactivate_person(person_id, by=by))
        if args.action == "activate":
            return _show(args, store.reactivate_person(person_id, by=by))
        return _show(args, store.unlock_person(person_id, by=by))


def _new_code() -> str:
    from surveykit.store.directory import new_access_code

    return new_access_code()


def _row(person: Any) -> dict[str, Any]:
    return {
        "id": person.id,
        "login": person.login,
        "name": person.display_name,
        "roles": list(person.roles),
        "active": person.active,
        "access_code": person.has_access_code,
        "failed_sign_ins": person.failed_sign_ins,
        "locked_until": person.locked_until.isoformat() if person.locked() else None,
    }


def _show(args: argparse.Namespace, person: Any, *, code: str | None = None) -> int:
    row = _row(person)
    if args.json:
        print_json(
            {"ok": True, "action": args.action, "person": row, **({"access_code": code} if code else {})}
        )
        return 0
    state = "active" if person.active else "DEACTIVATED"
    if person.locked():
        state += f", locked until {person.locked_until:%Y-%m-%d %H:%M} UTC"
    print(
        f"{person.id} (login {person.login}): {person.display_name}; roles {', '.join(person.roles) or '-'}; {state}"
    )
    if code:
        print(f"access code: {code}")
        print("Give it to the person now: it is shown only once and stored only as a hash.")
    return 0


def _list(args: argparse.Namespace, store: Any) -> int:
    people = store.people(args.role)
    if args.json:
        print_json({"ok": True, "people": [_row(p) for p in people]})
        return 0
    header = ("id", "login", "name", "roles", "state")
    rows = [
        (
            p.id,
            p.login,
            p.display_name,
            ",".join(p.roles),
            ("active" if p.active else "deactivated")
            + (f", locked until {p.locked_until:%Y-%m-%d %H:%M} UTC" if p.locked() else "")
            + (f", {p.failed_sign_ins} failed sign-in(s)" if p.failed_sign_ins and not p.locked() else ""),
        )
        for p in people
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    print(f"{len(rows)} people")
    return 0
