"""surveykit: questionnaires, fieldwork, ratings and interviewer training for public councils."""

__version__ = "0.1.0"
