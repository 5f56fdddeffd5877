"""Make the .xls and .ods XLSForm fixtures of tests/questionnaire/test_xlsform_corpus.py.

The workbook is written with openpyxl and saved as Excel 97-2003 (.xls) and OpenDocument (.ods) by LibreOffice,
as a user of either would save it: ``apt-get install libreoffice-calc-nogui``, then
``python tools/make_xlsform_fixtures.py``. The fixtures are committed; run this only to change them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "questionnaire" / "fixtures"
NAME = "xlsform-every-new-type"

SURVEY = [
    ["type", "name", "label::English (en)", "label::Русский (ru)", "constraint"],
    ["text", "name", "Name", "Имя"],
    ["date", "visit", "Date of the visit", "Дата визита"],
    ["time", "started", "Time it started", "Время начала", ". >= '08:00'"],
    ["dateTime", "next", "Next visit", "Следующий визит"],
    ["geopoint", "where", "Where?", "Где?"],
    ["image", "photo", "Photo of the entrance", "Фото входа"],
    ["select one from fruit", "fruit", "Fruit", "Фрукт"],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Русский (ru)"],
    ["fruit", "apple", "Apple", "Яблоко"],
    ["fruit", "pear", "Pear", "Груша"],
]
SETTINGS = [["form_title", "form_id", "default_language"], ["Fixture form", "fixture", "English (en)"]]


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice is needed: apt-get install libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"{NAME}.xlsx"
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(source)
        for target in ("xls", "ods"):
            subprocess.run(
                [soffice, "--headless", "--convert-to", target, "--outdir", str(FIXTURES), str(source)],
                check=True,
                capture_output=True,
                env={"HOME": folder, "PATH": "/usr/bin:/bin"},
            )
            print(FIXTURES / f"{NAME}.{target}")


if __name__ == "__main__":
    main()
