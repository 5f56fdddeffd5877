"""The register of institutions (social-service providers) from CSV or XLSX: import, list, export.

Columns: ``institution_id, name, type, region, municipality`` (required) and ``address, website,
recipients`` (optional; ``recipients`` is the number of service recipients in the period, the population of
the methodology's sample rule). The import is all or nothing: every problem of every row is reported with
its row and column (``register.csv, row 7, column 'recipients'``) and nothing is written unless the whole
file is right. Importing again updates the institutions whose details changed; each creation and each change
is recorded in the audit log with the values before and after. Institutions missing from a file are left as
they are (a register may be imported region by region).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.errors import DataImportError, ErrorCode, Translated

__all__ = ["OPTIONAL", "REQUIRED", "RegisterImport", "export_register", "import_register", "read_register",
           "register_frame"]  # fmt: skip

REQUIRED = ("institution_id", "name", "type", "region", "municipality")
OPTIONAL = ("address", "website", "recipients")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


@dataclass(frozen=True)
class RegisterImport:
    """What an import did (``created``, ``updated``, ``unchanged`` ids) and from which file."""

    file: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "created": list(self.created), "updated": list(self.updated),
                "unchanged": list(self.unchanged)}  # fmt: skip


def read_register(path: str | Path) -> list[Any]:
    """The institutions of a register file, checked; DataImportError with every problem otherwise."""
    return _read(path)[0]


def _read(path: str | Path) -> tuple[list[Any], bool]:
    from surveykit.fieldwork.files import read_table
    from surveykit.store.records import Institution

    table = read_table(path, REQUIRED, OPTIONAL, subject="the institution register")
    seen: dict[str, int] = {}
    records = []
    for i in range(len(table)):
        ident = table.text(i, "institution_id")
        name = table.text(i, "name")
        if ident is None:
            table.problem(
                i, "institution_id",
                Translated(en="the institution_id is empty", ru="institution_id не заполнен"),
                Translated(en="Give every institution a short id, e.g. kcson_sev.",
                           ru="Дайте каждой организации короткий идентификатор, например kcson_sev."),
            )  # fmt: skip
        elif not _ID.match(ident):
            table.problem(
                i, "institution_id",
                Translated(en=f"'{ident}' is not a usable id", ru=f"«{ident}» — неподходящий идентификатор"),
                Translated(en="Use up to 64 Latin letters, digits, '_', '-' or '.', starting with a letter or digit.",
                           ru="Используйте до 64 латинских букв, цифр, «_», «-» или «.», начиная с буквы или цифры."),
            )  # fmt: skip
        elif ident in seen:
            table.report.add(
                ErrorCode.IMPORT_DUPLICATE_KEY, table.where(i, "institution_id"), key="institution_id",
                value=ident, rows=f"{table.rows[seen[ident]]}, {table.rows[i]}",
            )  # fmt: skip
        else:
            seen[ident] = i
        if name is None:
            table.problem(
                i, "name",
                Translated(en="the name is empty", ru="название не заполнено"),
                Translated(en="Write the institution's full name.", ru="Впишите полное название организации."),
            )  # fmt: skip
        website = table.text(i, "website")
        scheme = _SCHEME.match(website or "")
        if website and scheme and scheme.group(1).lower() not in ("http", "https"):
            table.problem(
                i, "website",
                Translated(en=f"'{website}' is not a web address", ru=f"«{website}» — не адрес сайта"),
                Translated(en="Write the address as https://… or as a domain, e.g. kcson.example.ru.",
                           ru="Запишите адрес как https://… или как домен, например kcson.example.ru."),
            )  # fmt: skip
        recipients = table.whole_number(i, "recipients", what="recipients")
        if ident and name:
            records.append(
                Institution(
                    ident, name, table.text(i, "type"), table.text(i, "region"), table.text(i, "municipality"),
                    table.text(i, "address"), website, recipients,
                )
            )  # fmt: skip
    table.report.raise_if_errors(DataImportError)
    return records, "recipients" in table.frame.columns


def import_register(store: Any, path: str | Path, *, by: str | None = None) -> RegisterImport:
    """Read, check and store a register (all or nothing; see the module docstring). A file without the
    ``recipients`` column keeps the recipient counts already stored."""
    records, has_recipients = _read(path)
    if not has_recipients:
        stored = {i.id: i.recipients for i in store.institutions()}
        records = [replace(r, recipients=stored.get(r.id)) for r in records]
    change = store.fieldwork.update_register(records, by=by)
    return RegisterImport(str(path), change.created, change.updated, change.unchanged)


def register_frame(store: Any) -> pd.DataFrame:
    """The register as a table, in the import format's columns (one row per institution, by id)."""
    columns = [*REQUIRED, *OPTIONAL]
    rows = [
        {"institution_id": i.id, "name": i.name, "type": i.type, "region": i.region,
         "municipality": i.municipality, "address": i.address, "website": i.website, "recipients": i.recipients}
        for i in store.institutions()
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame["recipients"] = frame["recipients"].astype("Int64")
    return frame


def export_register(store: Any, path: str | Path) -> Path:
    """Write the register as CSV, XLSX or .sav, in the columns the import reads (a round trip)."""
    from surveykit.fieldwork.files import write_table

    labels = {"institution_id": "Institution id", "name": "Name", "type": "Type", "region": "Region",
              "municipality": "Municipality", "address": "Address", "website": "Website",
              "recipients": "Service recipients in the period"}  # fmt: skip
    return write_table(register_frame(store), path, sheet="institutions", labels=labels)
