"""surveykit."""
