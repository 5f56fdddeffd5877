"""Fixtures of the report tests: one batch run over the sample (an institution report, a deliberately
failing one and the regional report, as HTML and PDF), shared by the tests that read its output."""

from __future__ import annotations

import pytest

from surveykit.dashboard import FramesSource
from surveykit.dashboard.sample import sample_data


@pytest.fixture(scope="session")
def sample():
    return sample_data()


@pytest.fixture(scope="session")
def batch(sample, tmp_path_factory):
    """generate_reports over frames (the batch reads its data once into a snapshot, as from a store)."""
    from surveykit.reports import generate_reports

    out = tmp_path_factory.mktemp("reports")
    calls = []
    summary = generate_reports(
        ["kcson_sev", "no_such_institution"],
        language="ru",
        out_dir=out,
        formats=("html", "pdf"),
        region=True,
        source=FramesSource(sample.frames),
        progress=lambda done, total, name: calls.append((done, total, name)),
        jobs=2,
    )
    return summary, out, calls
