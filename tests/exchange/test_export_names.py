"""Exports never fail on a legal name: names over a format's limit are shortened uniquely and
deterministically, listed in the codebook and in the export's messages; a refusal names the real cause."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from surveykit.errors import ErrorCode, ExportError, Severity
from surveykit.exchange import build_codebook, export_frames
from surveykit.exchange.metadata import STATA_LABEL_SET_NAME, build_metadata
from surveykit.exchange.writers import _failed
from surveykit.questionnaire.compiled import compile_form
from surveykit.questionnaire.io import questionnaire_from_data

from .helpers import load


def _labelled_names_fit(table) -> None:
    """pyreadstat names the value labels of the k-th labelled variable <name><k>; Stata allows 32."""
    k = 0
    for var in table.variables:
        if var.value_labels:
            assert len(var.name) + len(str(k)) <= STATA_LABEL_SET_NAME, var.name
            k += 1


def test_needs_assessment_exports_to_stata_with_shortened_names_in_the_codebook_and_the_messages(tmp_path):
    form = compile_form(load("needs_assessment"))
    result = export_frames(form, pd.DataFrame({}), tmp_path / "na.dta")
    table = result.metadata.table()
    _labelled_names_fit(table)
    data, meta = pyreadstat.read_dta(str(result.files[0]))
    assert list(data.columns) == table.names
    shortened = {
        p.params["original"]: p.params["name"]
        for p in result.report
        if p.code is ErrorCode.EXPORT_NAME_SHORTENED
    }
    assert shortened == result.metadata.renamed and "services_needed_health_monitoring" in shortened
    assert all(
        p.severity is Severity.INFO for p in result.report if p.code is ErrorCode.EXPORT_NAME_SHORTENED
    )
    new = shortened["services_needed_health_monitoring"]
    assert new.endswith("_health_monitoring") and len(new) <= 30  # the choice part stays readable
    renamed = build_codebook(result.metadata, result.frames).renamed_frame()
    assert set(zip(renamed.iloc[:, 1], renamed.iloc[:, 2], strict=True)) >= set(shortened.items())
    # the same names in every format, and in every run
    again = export_frames(form, pd.DataFrame({}), tmp_path / "na.sav")
    assert again.metadata.table().names == table.names


def test_shortened_names_stay_unique_when_their_cut_is_the_same(tmp_path):
    """Two 32-character codes with value labels after ten others: both cut to 30 characters, which clash."""
    data = {
        "schema_version": 1, "id": "t", "version": "1", "title": "t", "languages": ["en"], "default_language": "en",
        "choice_lists": {"yn": [{"name": "yes", "value": 1}, {"name": "no", "value": 0}]},
        "items": [{"code": f"q{i}", "type": "select_one", "choices": "yn", "label": "x"} for i in range(12)]
        + [{"code": "information_about_the_institutio", "type": "select_one", "choices": "yn", "label": "a"},
           {"code": "information_about_the_institutz", "type": "select_one", "choices": "yn", "label": "b"}],
    }  # fmt: skip
    form = compile_form(questionnaire_from_data(data).questionnaire)
    table = build_metadata(form).table()
    _labelled_names_fit(table)
    names = table.names
    assert len(names) == len({n.lower() for n in names})  # unique regardless of case
    assert build_metadata(form).table().names == names  # deterministic
    frame = pd.DataFrame({c: ["yes"] for c in form.variables})
    result = export_frames(form, frame, tmp_path / "t.dta")
    written = result.metadata.table().names
    assert pyreadstat.read_dta(str(result.files[0]))[0].columns.tolist() == written
    cut = [n for n in written if n.startswith("information_about")]
    assert cut == ["information_about_the_institut", "information_about_the_instit_2"]


def test_a_format_refusal_names_the_format_and_an_os_error_the_folder():
    refused = _failed(
        Path("out.dta"), pyreadstat.ReadstatError("A provided name is too long for the file format")
    )
    assert refused.code is ErrorCode.EXPORT_FORMAT_REFUSED
    assert "Stata" in refused.message and "name is too long" in refused.message
    assert "folder" not in refused.hint and "Nothing was written" in refused.hint
    ru = refused.localized("ru")
    assert "слишком длинное" in ru and "A provided name" not in ru
    denied = _failed(Path("/no/such/folder/out.sav"), FileNotFoundError(2, "Нет такого файла или каталога"))
    assert denied.code is ErrorCode.EXPORT_WRITE_FAILED and "the folder does not exist" in denied.message
    assert "Нет такого" not in str(denied)


def test_an_export_into_a_missing_folder_is_reported_as_such(tmp_path):
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        export_frames(compile_form(load("needs_assessment")), pd.DataFrame({}), tmp_path / "a_file" / "x.dta")
    assert caught.value.code is ErrorCode.EXPORT_WRITE_FAILED
