"""Simulated interviewers for the serving load test and benchmark: headless Chromium pages that sign in to the
interview app and take an interview to submission, many at once.

Used by ``tests/serving/test_load.py`` (a size CI can afford) and ``benchmarks/bench_serving.py`` (40 pages
and more), so both measure the same work. Each page is a browser context of its own (its own cookies: behind
``surveykit serve --workers N`` each is pinned to a worker). What a run records per page: the HTTP status of
the app page, the worker that served it, time to interactive (navigation until the sign-in field is usable),
time from pressing "submit" until the app confirms, and what went wrong if anything did (an error page, a busy
page, a page that stopped answering). :func:`stored_submissions` then checks the database: every confirmed
submission stored exactly once.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Visit",
    "interview_ids",
    "write_bare_root",
    "prepare_visits",
    "process_tree_cpu_s",
    "process_tree_mb",
    "run_bare",
    "run_visits",
    "stored_submissions",
]

TIMEOUT = 240_000  # ms: one step of a page under heavy load on a small machine
QUESTIONNAIRE = "recipient_survey"
#: the answers of one interview of the demo questionnaire, page by page (English labels: the page runs ?lang=en)
PAGES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("consent", "Yes"), ("proxy_respondent", "No")),
    (("q1", "No"), ("q3", "Yes"), ("q4", "Yes")),
    (("q5", "Yes"), ("q6", "Yes"), ("q7", "No")),
    (("q9", "Yes"), ("q10", "Yes"), ("q11", "Yes"), ("q12", "Yes")),
    (("q13", "Yes"), ("q14", "No"), ("q15", "Yes")),
    (("sex", "Female"), ("age_group", "75 and over"), ("service_form", "At home (home care)")),
)


@dataclass
class Visit:
    """One simulated interviewer's page and what happened to it."""

    login: str
    assignment_id: int
    status: int | None = None
    worker: str | None = None
    interactive_s: float | None = None
    submit_s: float | None = None
    error: str | None = None

    @property
    def submitted(self) -> bool:
        return self.submit_s is not None and self.error is None


#: the baseline page: one widget, nothing of surveykit (a Voilà page's floor: Voilà, a kernel, the widgets)
BARE_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "bare",
            "metadata": {},
            "outputs": [],
            "source": "import ipywidgets as W\nb = W.Button(description='ready')\nb.add_class('bare-ready')\nb",
        }
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def write_bare_root(folder: Path) -> Path:
    """A folder served like apps/ (the same voila.json and voila.py: admission, culling) holding
    ``bare.ipynb``, the one-widget baseline page."""
    import json

    from surveykit.ui.server import apps_dir

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bare.ipynb").write_text(json.dumps(BARE_NOTEBOOK), encoding="utf-8")
    for name in ("voila.json", "voila.py"):
        (folder / name).write_text((apps_dir() / name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def prepare_visits(url: str, pages: int) -> list[Visit]:
    """``pages`` visits spread over the database's interviewers (the demo's), each on an assignment of the
    current period with room for every interview the run will submit (the demo's own targets are nearly met)."""
    from surveykit.store import Store

    with Store.open(url) as store:
        institutions = [i.id for i in store.institutions() if i.type != "practice"]
        logins = sorted(p.login for p in store.people("interviewer") if p.active)
        visits = []
        for n in range(pages):
            login = logins[n % len(logins)]
            institution = institutions[n % len(logins) % len(institutions)]
            assignment = store.assign(login, institution, QUESTIONNAIRE, "2026", target=1000)
            visits.append(Visit(login, int(assignment.id)))
    return visits


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(status.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(status.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and every process under it, including finished
    children it has reaped (a closed page's kernel counts once Voilà has waited for it)."""
    total = 0
    for pid in _tree(root):
        try:
            fields = _stat(pid)
            total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def process_tree_mb(root: int) -> float:
    """Resident memory (MiB) of a process and every process under it (Voilà kernels run in sessions of their
    own, but stay its children)."""
    total = 0
    for pid in _tree(root):
        try:
            total += int(_stat(pid)[21])
        except (OSError, IndexError, ValueError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _answer(page, code: str, label: str) -> None:
    box = page.locator(f".sk-q-{code}")
    await box.wait_for()
    buttons = box.locator("button", has_text=label)
    if await buttons.count():
        await buttons.first.click()
    else:
        await box.locator("label", has_text=label).first.click()
    await page.wait_for_timeout(250)


async def _bare(browser, url: str, times: list[float], errors: list[str], timeout: float) -> None:
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context()
    context.set_default_timeout(timeout)
    page = await context.new_page()
    try:
        start = time.perf_counter()
        response = await page.goto(url, timeout=timeout)
        if response is None or response.status != 200:
            errors.append(f"HTTP {response.status if response else None}")
            return
        await page.locator(".bare-ready").wait_for()
        times.append(time.perf_counter() - start)
    except PlaywrightError as err:
        errors.append(str(err).splitlines()[0])
    finally:
        await page.close(run_before_unload=True)
        await context.close()


async def _interview(
    browser, app_url: str, visit: Visit, code: str, shots: Path | None, timeout: float
) -> None:
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(timeout)
    page = await context.new_page()
    step = "open the page"
    try:
        start = time.perf_counter()
        response = await page.goto(app_url, timeout=timeout)
        visit.status = response.status if response else None
        visit.worker = response.headers.get("x-surveykit-worker") if response else None
        if visit.status != 200:
            visit.error = f"HTTP {visit.status}"
            return
        step = "sign in"
        await page.locator(".sk-login input").fill(visit.login, timeout=timeout)
        visit.interactive_s = time.perf_counter() - start
        await page.locator(".sk-code input").fill(code)
        await page.locator(".sk-sign-in").click()
        step = "start the interview"
        await page.locator(f".sk-start-{visit.assignment_id}").click(timeout=timeout)
        await page.locator(".sk-contact-consent button", has_text="Yes").click(timeout=timeout)
        await page.locator(".sk-contact-begin").click(timeout=timeout)
        for number, answers in enumerate(PAGES, 1):
            step = f"page {number} of the interview"
            for question, label in answers:
                await _answer(page, question, label)
            await page.locator(".sk-next").click(timeout=timeout)
        step = "submit"
        await page.locator(".sk-submit").wait_for(timeout=timeout)
        pressed = time.perf_counter()
        await page.locator(".sk-submit").click(timeout=timeout)
        await page.locator(".sk-next-interview").wait_for(timeout=timeout)
        visit.submit_s = time.perf_counter() - pressed
    except PlaywrightError as err:
        visit.error = f"{step}: {str(err).splitlines()[0]}"
        if shots is not None:
            await page.screenshot(
                path=str(shots / f"load-failed-{visit.login}-{id(visit)}.png"), full_page=True
            )
    finally:
        await page.close(run_before_unload=True)  # as a closing tab: the kernel is shut down
        await context.close()


async def _pages(make_tasks: Callable[[Any], list], memory_of: Callable[[], float] | None) -> float:
    """Run the page tasks ``make_tasks(browser)`` at once in one headless Chromium; the peak of
    ``memory_of()`` meanwhile (sampled twice a second; 0 without it)."""
    from playwright.async_api import async_playwright

    from surveykit.ui.browser import launch_chromium

    peak = 0.0
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set() and memory_of is not None:
            peak = max(peak, memory_of())
            await asyncio.sleep(0.5)

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        sampler = asyncio.ensure_future(sample())
        try:
            await asyncio.gather(*make_tasks(browser))
        finally:
            done.set()
            await sampler
            await browser.close()
    return peak


def run_visits(
    app_url: str,
    visits: Sequence[Visit],
    code: str,
    *,
    memory_of: Callable[[], float] | None = None,
    screenshots: Path | None = None,
    timeout: float = TIMEOUT,
) -> float:
    """Open every visit's page at once and take each interview to submission; fills in the visits and
    returns the peak of ``memory_of()`` (sampled twice a second; 0 without it). A failed page's screenshot
    goes to ``screenshots``; ``timeout`` (ms) bounds each step of a page (past it, the page counts as hung)."""
    return _in_loop(
        _pages(lambda b: [_interview(b, app_url, v, code, screenshots, timeout) for v in visits], memory_of)
    )


def run_bare(
    url: str, pages: int, *, timeout: float = TIMEOUT, memory_of=None
) -> tuple[list[float], list[str], float]:
    """The baseline: ``pages`` one-widget Voilà pages (``.bare-ready``) opened at once; their times to
    interactive, the errors, and the peak of ``memory_of()``."""

    times: list[float] = []
    errors: list[str] = []
    peak = _in_loop(
        _pages(lambda b: [_bare(b, url, times, errors, timeout) for _ in range(pages)], memory_of)
    )
    return times, errors, peak


def _in_loop(work):
    """Run a coroutine to its end, on a thread of its own when this thread already runs an event loop
    (Playwright's sync API in the same test session)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    import concurrent.futures  # a running loop (Playwright's sync API in the same test session): a thread

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def stored_submissions(url: str, before: set[str]) -> dict[str, list[tuple[str, int, bool]]]:
    """Interviews submitted since ``before`` (the interview ids then), by interviewer: ``(interview id, number
    of submit events, practice)`` each (practice: the interviewer's certificate did not count)."""
    from surveykit.store import Store

    with Store.open(url) as store:
        frame = store.interviews_frame(QUESTIONNAIRE, status=("submitted",), practice=None)
        new = frame[~frame["interview_id"].isin(before)]
        paradata = store.paradata_frame()
    submits = paradata[paradata["event"] == "submit"].groupby("interview_id").size()
    found: dict[str, list[tuple[str, int, bool]]] = {}
    for row in new.itertuples():
        count = int(submits.get(row.interview_id, 0))
        found.setdefault(str(row.interviewer_id), []).append(
            (str(row.interview_id), count, bool(row.practice))
        )
    return found


def interview_ids(url: str) -> set[str]:
    """Every interview id of the load test's questionnaire (before a run)."""
    from surveykit.store import Store

    with Store.open(url) as store:
        return set(store.interviews_frame(QUESTIONNAIRE, status=None, practice=None)["interview_id"])
