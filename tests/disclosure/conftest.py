"""Fixtures of the disclosure tests: the adversarial world written into a store (once per session), a council
member's published data read through the guarded store, and the truth computed without the code under test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from surveykit.config import settings
from surveykit.dashboard.sample import Sample, build_sample_database
from surveykit.scoring import load_profile, rate
from surveykit.store import Store
from surveykit.store.guarded import GuardedStore

from .world import K, adversarial_sample

CODE = "2468"
COUNCIL = "council1"
SUPERVISOR = "super1"


@dataclass
class World:
    sample: Sample
    url: str
    folder: Path

    @property
    def survey(self) -> pd.DataFrame:
        return self.sample.frames["recipient_survey"]


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("adversarial")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SURVEYKIT_DATA_DIR", str(folder / "data"))
        settings.cache_clear()
        sample = adversarial_sample()
        url = f"sqlite:///{folder / 'surveykit.sqlite'}"
        build_sample_database(url, sample)
        with Store.open(url) as store:
            store.add_person(COUNCIL, "Член совета Кира", ["council"], login=COUNCIL, access_code=CODE)
            store.add_person(
                SUPERVISOR, "Супервайзер Ольга", ["supervisor"], login=SUPERVISOR, access_code=CODE
            )
    settings.cache_clear()
    return World(sample, url, folder)


@pytest.fixture(scope="session")
def council_store(world):
    """The store as a council member signed in to the dashboard sees it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SURVEYKIT_DATA_DIR", str(world.folder / "data"))
        patch.setenv("SURVEYKIT_MIN_CELL_SIZE", str(K))
        settings.cache_clear()
        store = Store.open(world.url)
        session = store.start_session(COUNCIL, CODE, ("council",), app="dashboard")
        yield GuardedStore(store, session)
        store.close()
    settings.cache_clear()


@pytest.fixture(scope="session")
def council_data(council_store):
    """The published data of a council member (every number a council output shows comes from here)."""
    return council_store.dashboard_data(None, None, "ru")


@pytest.fixture(scope="session")
def raw(world) -> pd.DataFrame:
    """The unsuppressed rating table (what must not leak), from the frames with the bare scoring."""
    frames = world.sample.frames
    sources = {k: frames[k] for k in ("recipient_survey", "website_audit", "premises_checklist")}
    institutions = frames["institutions"][["institution_id", "name", "region"]]
    return rate(load_profile(), sources, institutions=institutions).table


@pytest.fixture(scope="session")
def raw_indicators(world):
    frames = world.sample.frames
    sources = {k: frames[k] for k in ("recipient_survey", "website_audit", "premises_checklist")}
    institutions = frames["institutions"][["institution_id", "name", "region"]]
    return rate(load_profile(), sources, institutions=institutions).indicators
