"""The public surface of surveykit.exchange is small and explicit; every locale string it uses exists in
English and Russian; every SK7xx code has a Russian translation."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import surveykit.exchange as exchange
from surveykit.errors import ErrorCode

EXPECTED = {
    "CODEBOOK_FORMATS", "EXPORT_FORMATS", "Codebook", "Crosstab", "ExportMetadata", "ExportResult", "ExportTable",
    "ExportVariable", "FormatView", "ImportOutcome", "LikertSummary", "MeanEstimate", "MultipleResponseSet",
    "build_codebook", "build_metadata", "crosstab", "export_frames", "export_interviews", "frequencies",
    "frequency_figure", "import_file", "labelled", "likert_summary", "means", "parse_column_map", "pseudonym_key",
    "InferredQuestionnaire", "infer_questionnaire", "one_period", "output_folder", "table_view",

    "pseudonymise", "read_import", "shares", "shares_figure", "weighted_mean",
}  # fmt: skip
PACKAGE = Path(exchange.__file__).parent
LOCALE = PACKAGE.parent / "locale"


def test_all_is_the_public_surface():
    assert set(exchange.__all__) == EXPECTED
    assert all(hasattr(exchange, name) for name in exchange.__all__)


def test_every_ui_key_exists_in_english_and_russian():
    en = yaml.safe_load((LOCALE / "en" / "exchange.yaml").read_text(encoding="utf-8"))
    ru = yaml.safe_load((LOCALE / "ru" / "exchange.yaml").read_text(encoding="utf-8"))
    used = set()
    for path in [*PACKAGE.glob("*.py"), *(PACKAGE.parent / "cli").glob("cmd_*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"[\"'](exchange\.[a-z_.]+[a-z_])[\"']", text))
        used |= {f"exchange.codebook.{k}" for k in re.findall(r"self\._h\(\"([a-z_]+)\"\)", text)}
        used |= {f"exchange.meta.{k}" for k in ("interview_id", "weight")}
    prefixes = {k for k in used if k.endswith(".")}
    assert not (used - prefixes) - set(en), sorted((used - prefixes) - set(en))
    assert set(en) - {"errors"} == set(ru) - {"errors"}
    files_ru = yaml.safe_load((LOCALE / "ru" / "files.yaml").read_text(encoding="utf-8"))
    for code in ErrorCode:
        if code.code.startswith("SK7"):  # SK701-SK708: exchange.yaml; SK709 on: files.yaml
            assert code.code in ru["errors"] or code.code in files_ru["errors"], code.code


def test_every_files_key_exists_in_english_and_russian():
    """The keys of the files area (infer, template, rating inputs) used by the code exist in both languages."""
    en = yaml.safe_load((LOCALE / "en" / "files.yaml").read_text(encoding="utf-8"))
    ru = yaml.safe_load((LOCALE / "ru" / "files.yaml").read_text(encoding="utf-8"))
    used = set()
    for path in [*PACKAGE.glob("*.py"), *(PACKAGE.parent / "cli").glob("cmd_*.py"), *(PACKAGE.parent / "scoring").glob("*.py")]:
        used |= set(re.findall(r"[\"'](files\.[a-z_.]+[a-z_])[\"']", path.read_text(encoding="utf-8")))
    assert used, "no files.* key found: the scan is broken"
    assert not used - set(en), sorted(used - set(en))
    assert set(en) == set(ru) - {"errors"}

