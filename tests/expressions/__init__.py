"""Tests of surveykit.expressions (the XLSForm expression language)."""
