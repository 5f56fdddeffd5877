"""Codebooks: every variable with its question text, values, missing codes, relevance, frequencies (counts and
% of valid), the multiple-response sets and the renamed names; as HTML, Markdown and Excel."""

from __future__ import annotations

import openpyxl
import pytest

from surveykit.exchange.codebook import questionnaire_codebook, store_codebook

from .helpers import load


def test_frequencies_match_the_interviews(store):
    codebook = store_codebook(store, "recipient_survey", language="ru")
    frame = store.interviews_frame("recipient_survey")
    entry = next(e for e in codebook.entries if e.variable.name == "q2")
    counts = frame["q2"].value_counts()
    by_name = {v.name: v for v in entry.values}
    assert by_name["yes"].count == counts["yes"] and by_name["dk"].count == counts["dk"]
    valid = counts["yes"] + counts["no"]
    assert entry.n_valid == valid and entry.n_missing_codes == counts["dk"]
    assert by_name["yes"].percent_valid == pytest.approx(counts["yes"] / valid * 100)
    assert by_name["dk"].percent_valid is None and by_name["dk"].missing and by_name["dk"].stata == ".a"
    assert entry.variable.relevance == "${consent} = 'yes' and ${q1} = 'yes'"
    assert entry.variable.label.startswith("Удовлетворены ли Вы")


def test_html_markdown_and_excel_say_the_same(store, tmp_path):
    codebook = store_codebook(store, "staff_survey", language="en")
    html = codebook.write(tmp_path / "cb.html").read_text(encoding="utf-8")
    md = codebook.write(tmp_path / "cb", "md").read_text(encoding="utf-8")
    for text in (html, md):
        assert "training_needs_first_aid" in text
        assert "$training_needs" in text  # the multiple-response set
        assert "Don&#x27;t know" in text or "Don't know" in text
        assert "% of valid" in text
    workbook = openpyxl.load_workbook(codebook.write(tmp_path / "cb.xlsx"))
    assert workbook.sheetnames == ["codebook", "values", "mr_sets", "renamed"]
    header = [c.value for c in workbook["values"][1]]
    assert header[:5] == ["Table", "Variable", "Code", "Choice name", "Value label"]


def test_a_codebook_without_data_lists_the_variables_and_renamed_names():
    codebook = questionnaire_codebook(load("example_all_types"), language="ru")
    assert not codebook.with_frequencies
    names = [e.variable.name for e in codebook.entries]
    assert "services_meals" in names and "relatives_index" in names
    md = codebook.to_markdown()
    assert "Кодовая книга" in md and "Задаётся, если" in md
    assert "`${consent} = 'yes'`" in md
