"""The kinds of question and of interview: plain enums, without the pydantic models of
:mod:`surveykit.questionnaire.model` (which re-exports them), so that what only needs a question's type (the
store's file rules, an app's first screen) does not build the models (issue 17, lean kernels)."""

from __future__ import annotations

import enum

__all__ = ["MEDIA_ACCEPT", "Mode", "QuestionType"]


class QuestionType(enum.StrEnum):
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    YES_NO = "yes_no"
    LIKERT = "likert"
    MATRIX = "matrix"
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    GEOPOINT = "geopoint"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    FILE = "file"
    NOTE = "note"
    CALCULATE = "calculate"

    @property
    def has_choices(self) -> bool:
        return self in _CHOICE_TYPES

    @property
    def records_value(self) -> bool:
        return self is not QuestionType.NOTE

    @property
    def is_media(self) -> bool:
        """A question whose answer is a file kept with the interview."""
        return self in MEDIA_ACCEPT


_CHOICE_TYPES = {
    QuestionType.SELECT_ONE,
    QuestionType.SELECT_MULTIPLE,
    QuestionType.YES_NO,
    QuestionType.LIKERT,
    QuestionType.MATRIX,
}


#: the file-upload types and the files each accepts (an HTML ``accept`` list: MIME patterns and suffixes)
MEDIA_ACCEPT: dict[QuestionType, str] = {
    QuestionType.IMAGE: "image/*",
    QuestionType.AUDIO: "audio/*",
    QuestionType.VIDEO: "video/*",
    QuestionType.FILE: "",
}


class Mode(enum.StrEnum):
    """How an interview is conducted (methodology: 675n allows all three for the recipient survey)."""

    FACE_TO_FACE = "face_to_face"
    TELEPHONE = "telephone"
    SELF_COMPLETED = "self_completed"
    OBSERVATION = "observation"  # website, information stand and premises audits
