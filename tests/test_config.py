"""Settings: environment over surveykit.toml over defaults; bad values say which setting and how to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveykit.config import Settings
from surveykit.errors import ConfigError, ErrorCode


def test_defaults_live_under_the_project_folder(tmp_path):
    s = Settings.load(environ={}, root=tmp_path)
    assert s.data_dir == tmp_path / "data" and s.questionnaires_dir == tmp_path / "questionnaires"
    assert s.database_url == f"sqlite:///{tmp_path / 'data' / 'surveykit.sqlite'}"
    assert s.signing_key == tmp_path / "data" / "keys" / "issuer.pem" and s.min_cell_size == 5


def test_the_environment_wins_over_the_file(tmp_path):
    (tmp_path / "surveykit.toml").write_text(
        '[surveykit]\nmin_cell_size = 7\ndefault_language = "en"\n', encoding="utf-8"
    )
    assert Settings.load(environ={}, root=tmp_path).min_cell_size == 7
    s = Settings.load(
        environ={"SURVEYKIT_MIN_CELL_SIZE": "10", "SURVEYKIT_PSEUDONYMISE_EXPORTS": "no"}, root=tmp_path
    )
    assert s.min_cell_size == 10 and s.default_language == "en" and s.pseudonymise_exports is False


@pytest.mark.parametrize(
    ("environ", "toml", "field"),
    [
        ({"SURVEYKIT_MIN_CELL_SIZE": "five"}, None, "min_cell_size"),
        ({"SURVEYKIT_MIN_CELL_SIZE": "0"}, None, "min_cell_size"),
        ({}, "[surveykit\nbroken", None),
    ],
)
def test_bad_settings_are_reported_with_their_name(tmp_path, environ, toml, field):
    if toml is not None:
        Path(tmp_path / "surveykit.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        Settings.load(environ=environ, root=tmp_path)
    assert err.value.code is ErrorCode.CONFIG_INVALID
    if field:
        assert err.value.location.field == field and f"SURVEYKIT_{field.upper()}" in err.value.hint
    else:
        assert err.value.location.file.endswith("surveykit.toml")
