"""A council viewer in the browser: signs in to the dashboard and sees the rating; then goes by URL to the
interview, supervisor, trainer and exam apps (also with query strings) and gets neither interview data nor
exam keys — signing in there with the council account is refused. An institution named with a script tag is
shown as text: no dialog ever opens. Screenshots go to ``artifacts/permissions-*.png``."""

from __future__ import annotations

import pytest

from surveykit.dashboard.sample import build_sample_database, sample_data
from surveykit.store import Store
from surveykit.training.service import TrainingService, current_course

from .conftest import add_people
from .helpers import CODE, World

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 120_000
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("council-browser")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    sample = sample_data(interviews_per_institution=12)
    first = sample.institutions.iloc[0]
    sample.institutions.loc[sample.institutions.index[0], "name"] = f"{HOSTILE} {first['name']}"
    build_sample_database(url, sample)
    with Store.open(url) as store:
        add_people(store)
        ids = World.make_records(store, TrainingService(store, course=current_course()))
        frame = store.interviews_frame("recipient_survey")
        secrets = {ids["other_interview"], ids["own_interview"], *frame["interview_id"].astype(str)[:20]}
        secrets |= {str(v) for v in frame["q16"].dropna().astype(str)[:20]}
        secrets |= {str(item.id) for item in current_course().items}  # exam keys are filed by item id
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}, secrets


def _leaked(secrets, content: str) -> list[str]:
    """The secrets found in the page as whole tokens: an item id such as m3-10 also occurs inside an SVG
    path of Voilà's own style sheet ("…zm3-10H5…"), which is no leak; in a class name (sk-item-m3-10) or a
    text it is."""
    import re

    return [s for s in secrets if s and re.search(rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])", content)]


def sign_in(page, login):
    page.locator(".sk-login input").fill(login, timeout=TIMEOUT)
    page.locator(".sk-code input").fill(CODE)
    page.locator(".sk-sign-in").click()


def test_a_council_viewer_sees_the_rating_and_nothing_behind_it(browser, voila_server, env, artifacts):
    environment, secrets = env
    server = voila_server(environment)
    page = browser.new_page(lang="en", viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(server.url("dashboard", lang="en"), timeout=TIMEOUT)
        page.locator(".sk-dash-sign-in").wait_for(timeout=TIMEOUT)
        assert page.locator(".sk-dash-rating-chart").count() == 0  # nothing before signing in
        page.screenshot(path=str(artifacts / "permissions-dashboard-sign-in.png"))
        sign_in(page, "cou")
        frame = page.frame_locator(".sk-dash-rating-chart iframe")
        frame.locator(".main-svg").first.wait_for(timeout=TIMEOUT)
        ticks = " ".join(frame.locator("g.ytick text").all_text_contents())
        assert "<script>alert(1)</script>" in ticks  # the hostile name, shown as text
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "permissions-dashboard-council.png"), full_page=True)

        for app, query in (
            ("interview", {"assignment": "1", "lang": "en"}),
            ("interview", {"practice": "1", "lang": "en"}),
            ("supervisor", {"lang": "en"}),
            ("trainer", {"cohort": "c1", "lang": "en"}),
            ("exam", {"lang": "en", "attempt": "1"}),
        ):
            page.goto(server.url(app, **query), timeout=TIMEOUT)
            sign_in(page, "cou")
            banner = page.locator(".sk-banner-error")
            banner.wait_for(timeout=TIMEOUT)
            assert "may not use this" in banner.text_content()
            assert page.locator(".sk-code input").count() == 1  # still the sign-in page
            content = page.content()
            assert not _leaked(secrets, content), app
            page.screenshot(path=str(artifacts / f"permissions-{app}-refused.png"))
        assert dialogs == []
    finally:
        page.close(run_before_unload=True)
