"""The one home of CSV and XLSX output (surveykit.spreadsheet): the formula rule, numbers untouched, the rule
undone exactly on import, characters XLSX cannot hold marked and warned, and no writer outside the home."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveykit import spreadsheet
from surveykit.errors import ErrorCode, ExportError

from .helpers import PAYLOADS, csv_danger, evaluated, xlsx_danger

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_gets_one_apostrophe_in_csv_and_comes_back_exactly(payload):
    guarded = spreadsheet.guard_text(payload)
    assert guarded == "'" + payload and not evaluated(guarded)
    assert spreadsheet.restore_text(guarded) == payload


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("-3", "-3"),  # a plain number is read as that number: nothing to evaluate
        ("+2.5", "+2.5"),
        ("-1,5", "-1,5"),
        ("1e-3", "1e-3"),
        ("-3 apples", "'-3 apples"),
        ("+7 912 345-67-89", "'+7 912 345-67-89"),
        ("'=x", "''=x"),  # an apostrophe already in front gets one more: the rule is reversible
        ("'hello", "'hello"),
        ("it's -3", "it's -3"),
        ("", ""),
        ("\0abc", "'\0abc"),
    ],
)
def test_the_rule_for_plain_numbers_and_apostrophes(text, guarded):
    assert spreadsheet.guard_text(text) == guarded
    assert spreadsheet.restore_text(guarded) == text


@given(st.text(alphabet=st.sampled_from(list("=+-@'\t\r\0 a1.,e")), max_size=8))
def test_restore_undoes_guard_for_any_text(text):
    assert spreadsheet.restore_text(spreadsheet.guard_text(text)) == text
    assert not evaluated(spreadsheet.guard_text(text)) or not spreadsheet.needs_guard(text)


def test_csv_guards_text_cells_and_headers_but_never_numbers(tmp_path):
    frame = pd.DataFrame(
        {
            "name": [*PAYLOADS, "-3", "plain"],
            "number": range(-4, len(PAYLOADS) - 2),
            "=header": 1.5,
        }
    )
    path = tmp_path / "out.csv"
    report = spreadsheet.write_csv(path, frame)
    assert not report.problems and csv_danger(path) == []
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode(), newline="")))
    assert rows[0]["number"] == "-4" and rows[len(PAYLOADS)]["name"] == "-3"
    assert "'=header" in rows[0]
    back = spreadsheet.restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
    assert list(back["name"]) == list(frame["name"]) and list(back.columns) == list(frame.columns)


def test_an_unguarded_writer_would_be_caught(tmp_path):
    """The checker used by the tests finds what pandas writes on its own (so the tests can fail)."""
    path = tmp_path / "raw.csv"
    pd.DataFrame({"name": list(PAYLOADS)}).to_csv(
        path, index=False
    )  # the point of this test: an unguarded writer
    assert len(csv_danger(path)) >= 4
    raw = tmp_path / "raw.xlsx"
    pd.DataFrame({"name": list(PAYLOADS)}).to_excel(
        raw, index=False
    )  # the point of this test: an unguarded writer
    assert any("formula" in d for d in xlsx_danger(raw))


def test_xlsx_keeps_the_text_exact_never_a_formula_and_quote_prefixed(tmp_path):
    frame = pd.DataFrame(
        {
            "text": list(PAYLOADS[:5]),
            "n": [-3, 2, 0, 1, -1],
            "when": pd.to_datetime(["2026-03-01 10:00"] * 5, utc=True),
        }
    )
    path = tmp_path / "out.xlsx"
    report = spreadsheet.write_xlsx(path, [spreadsheet.Sheet("data", frame)])
    assert not report.problems and xlsx_danger(path) == []
    from openpyxl import load_workbook

    sheet = load_workbook(path)["data"]
    assert [sheet.cell(row=i, column=1).value for i in range(2, 7)] == list(PAYLOADS[:5])
    assert sheet["B2"].value == -3 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == dt.datetime(
        2026, 3, 1, 10, 0
    )  # times in UTC, without a zone (Excel has none)


@pytest.mark.parametrize("code", [*range(0x00, 0x20), 0x7F])
def test_each_control_character_in_xlsx_is_kept_or_marked_and_warned(tmp_path, code):
    text = f"before{chr(code)}after"
    path = tmp_path / "c.xlsx"
    report = spreadsheet.write_xlsx(path, [spreadsheet.Sheet("s", pd.DataFrame({"t": [text]}))])
    from openpyxl import load_workbook

    back = load_workbook(path)["s"]["A2"].value
    if back == text:
        assert not report.problems
    else:
        assert [p.code for p in report.warnings] == [ErrorCode.EXPORT_VALUE_INVALID]
        warning = report.warnings[0]
        assert warning.location.field == "t" and warning.location.sheet == "s"
        marker = {0x0D: "\n"}.get(code, chr(0x2400 + code))
        assert back == f"before{marker}after"
        assert "U+2400" in warning.message or "carriage" in warning.message


@pytest.mark.parametrize("code", [*range(0x00, 0x20), 0x7F])
def test_each_control_character_survives_csv(tmp_path, code):
    text = f"before{chr(code)}after"
    path = tmp_path / "c.csv"
    spreadsheet.write_csv(path, pd.DataFrame({"t": [text, "next"]}))
    back = spreadsheet.restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
    assert list(back["t"]) == [text, "next"]


def test_texts_too_long_for_excel_and_broken_characters_are_warned(tmp_path):
    frame = pd.DataFrame({"t": pd.Series(["x" * 40_000, "bad \ud800 text"], dtype=object)})
    report = spreadsheet.write_xlsx(tmp_path / "long.xlsx", [spreadsheet.Sheet("s", frame)])
    messages = " ".join(p.message for p in report.warnings)
    assert "were cut" in messages and "lone surrogates" in messages
    ru = " ".join(p.localized("ru")[0] for p in report.warnings)
    assert "обрезаны" in ru and "суррогат" in ru


def test_sheet_names_are_made_valid_and_unique(tmp_path):
    sheets = [spreadsheet.Sheet(name, pd.DataFrame({"a": [1]})) for name in ("a/b", "a/b", "x" * 40, "'q'")]
    spreadsheet.write_xlsx(tmp_path / "names.xlsx", sheets)
    from openpyxl import load_workbook

    names = load_workbook(tmp_path / "names.xlsx").sheetnames
    assert len(set(names)) == 4 and all(len(n) <= 31 and "/" not in n for n in names)


def test_an_unwritable_target_is_a_located_error(tmp_path):
    folder = tmp_path / "is_a_file"
    folder.write_text("x")
    with pytest.raises(ExportError) as info:
        spreadsheet.write_csv(folder / "out.csv", pd.DataFrame({"a": [1]}))
    assert info.value.code is ErrorCode.EXPORT_WRITE_FAILED and "out.csv" in str(info.value)


# --- one home ------------------------------------------------------------------------------------------------------
#: modules allowed to touch a CSV or XLSX writer directly, and why
ALLOWED = {
    "surveykit/spreadsheet.py": "the home",
    # an XLSForm is a form definition pyxform and ODK read back; every cell goes through
    # spreadsheet.set_text_cell (text cells, never formulas, quote prefix)
    "surveykit/questionnaire/xlsform_write.py": "Workbook",
    # the rating-input template needs drop-downs (data validation) and comments; every cell goes through
    # template._put, which calls spreadsheet.set_text_cell
    "surveykit/scoring/template.py": "Workbook",
}
_FORBIDDEN_ATTRIBUTES = {"to_csv", "to_excel", "ExcelWriter", "writer", "DictWriter", "Workbook"}


def _direct_writers(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute) and node.attr in _FORBIDDEN_ATTRIBUTES:
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            if node.attr in ("writer", "DictWriter") and owner != "csv":
                continue
            name = node.attr
        elif isinstance(node, ast.ImportFrom) and node.module in ("csv", "openpyxl", "xlsxwriter"):
            hits = [a.name for a in node.names if a.name in ("writer", "DictWriter", "Workbook")]
            name = hits[0] if hits else None
        elif isinstance(node, ast.Import) and any(a.name == "xlsxwriter" for a in node.names):
            name = "xlsxwriter"
        if name:
            found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}: {name}")
    return found


def test_no_module_writes_csv_or_xlsx_outside_the_home():
    """Every CSV and XLSX writer goes through surveykit.spreadsheet (formula guard, control characters)."""
    offenders = []
    for path in sorted((ROOT / "surveykit").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        found = _direct_writers(path)
        allowed = ALLOWED.get(rel)
        if allowed == "the home":
            continue
        offenders += [f for f in found if not (allowed and f.endswith(f": {allowed}"))]
    assert offenders == [], "write CSV/XLSX through surveykit.spreadsheet: " + "; ".join(offenders)


def test_no_notebook_writes_csv_or_xlsx_outside_the_home(tmp_path):
    """Analysis, report and app notebooks call the package's exports (or surveykit.spreadsheet) too."""
    import json

    offenders = []
    for notebook in sorted([*ROOT.glob("notebooks/**/*.ipynb"), *ROOT.glob("apps/*.ipynb")]):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
        probe = tmp_path / (notebook.stem + ".py")
        probe.write_text(code, encoding="utf-8")
        offenders += [f"{notebook.relative_to(ROOT)}: {f}" for f in _direct_writers(probe, tmp_path)]
    assert offenders == []


def test_the_home_check_catches_a_direct_writer(tmp_path):
    sample = tmp_path / "probe.py"
    sample.write_text(
        "import csv\nfrom openpyxl import Workbook\n\ndef f(frame, out):\n"
        "    frame.to_csv(out)\n    csv.writer(out)\n    frame.to_excel(out)\n"
    )
    assert len(_direct_writers(sample, tmp_path)) == 4
