from __future__ import annotations

import pytest

from surveykit.scoring.profile import load_profile


@pytest.fixture(scope="session")
def nok():
    """The default profile (344n, 2018 edition)."""
    return load_profile("ru_nok_344n_2018")
