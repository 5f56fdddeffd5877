"""Data exchange for sociologists: exports that keep every label, codebooks, imports, analysis helpers.

::

    from surveykit.exchange import export_interviews, import_file, build_codebook, crosstab

    with Store.open() as store:
        result = export_interviews(store, "recipient_survey", "exports/survey.sav", language="ru",
                                   period="2026Q1")                    # + survey.sps, repeat files
        build_codebook(result.metadata, result.frames).write("exports/codebook.html")
        outcome = import_file(store, "kobo.xlsx", "recipient_survey", kobo=True, dry_run=True)
        print(outcome.report)
    inferred = infer_questionnaire("legacy.sav")        # a questionnaire made from a data file
    inferred.write("questionnaires/legacy.yaml")         # with a comment on every guess


Exports: SPSS ``.sav`` and Stata ``.dta`` (pyreadstat) with variable labels, value labels and user-missing
codes in the chosen language, multiple choices as labelled 0/1 dummies, repeat groups as keyed files; CSV,
Excel and Parquet. One :class:`ExportMetadata` (built once from the questionnaire) feeds every writer and
the codebook. See ``docs/exchange.md`` for what survives in which format.
"""

from surveykit.exchange.analysis import (
    Crosstab,
    LikertSummary,
    MeanEstimate,
    crosstab,
    frequencies,
    frequency_figure,
    labelled,
    likert_summary,
    means,
    one_period,
    output_folder,
    shares,
    shares_figure,
    table_view,
    weighted_mean,
)
from surveykit.exchange.codebook import CODEBOOK_FORMATS, Codebook, build_codebook
from surveykit.exchange.export import EXPORT_FORMATS, ExportResult, export_frames, export_interviews
from surveykit.exchange.importing import ImportOutcome, import_file, parse_column_map, read_import
from surveykit.exchange.infer import InferredQuestionnaire, infer_questionnaire
from surveykit.exchange.metadata import (
    ExportMetadata,
    ExportTable,
    ExportVariable,
    FormatView,
    MultipleResponseSet,
    build_metadata,
)
from surveykit.exchange.pseudonyms import pseudonym_key, pseudonymise

__all__ = [
    "CODEBOOK_FORMATS",
    "EXPORT_FORMATS",
    "Codebook",
    "Crosstab",
    "ExportMetadata",
    "ExportResult",
    "ExportTable",
    "ExportVariable",
    "FormatView",
    "ImportOutcome",
    "InferredQuestionnaire",
    "LikertSummary",
    "MeanEstimate",
    "MultipleResponseSet",
    "build_codebook",
    "build_metadata",
    "crosstab",
    "export_frames",
    "export_interviews",
    "frequencies",
    "frequency_figure",
    "import_file",
    "infer_questionnaire",
    "labelled",
    "likert_summary",
    "means",
    "one_period",
    "output_folder",
    "parse_column_map",
    "pseudonym_key",
    "pseudonymise",
    "read_import",
    "shares",
    "shares_figure",
    "table_view",
    "weighted_mean",
]
