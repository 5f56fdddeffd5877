"""Fixtures of the dashboard tests: the sample (twelve named institutions, two periods, one institution with
three interviews in the latest period), its published data in Russian and English, and helpers that find
the numbers small-cell suppression must hide."""

from __future__ import annotations

import pytest

from surveykit.dashboard import dashboard_data
from surveykit.dashboard.sample import SMALL_INSTITUTION, sample_data


@pytest.fixture(scope="session")
def sample():
    return sample_data()


@pytest.fixture(scope="session")
def data_ru(sample):
    return dashboard_data(sample.frames, language="ru", k=5)


@pytest.fixture(scope="session")
def data_en(data_ru):
    return data_ru.with_(language="en")


@pytest.fixture(scope="session")
def small_institution() -> str:
    return SMALL_INSTITUTION
