"""The issue's adversarial test: every figure a council member can reach, every filter combination, every
attack by subtraction — 0 small groups recovered, in the dashboard, the council workbook and the reports.

The world (:mod:`.world`) has small groups at every level: an institution without region, the only
institution of a municipality, the only one of a type, a mode with one interview, institutions of 1 to 4
respondents, an institution large in one period and small in the next. The attacker (:mod:`.attacker`) reads
only published figures; the truth is computed here from the raw frames.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

import numpy as np
import openpyxl
import pandas as pd
import pytest

from surveykit.dashboard import Filters, charts, council_workbook
from surveykit.errors import AccessDenied
from surveykit.i18n import t
from surveykit.reports.content import InstitutionReport, RegionReport

from .attacker import (
    Leak,
    LinearAttack,
    change_leaks,
    complement_leaks,
    filter_combinations,
    mean_leaks,
    numbers,
    place_leaks,
    small_counts_seen,
    truth_cells,
)
from .world import QUESTIONS, SMALL_GROUPS, K

pytestmark = pytest.mark.slow

QID = "recipient_survey"


def _report(leaks, what: str) -> str:
    return f"{len(leaks)} {what} recovered:\n" + "\n".join(f"  {leak}" for leak in leaks[:40])


def _combinations(data, *, modes: bool = True):
    """Every combination of the dashboard's filters except the period (the period is its own family).
    ``modes=False``: without the interview mode, for figures it does not apply to (rating, fieldwork)."""
    options = {k: v for k, v in data.options().items() if k != "period" and (modes or k != "mode")}
    return filter_combinations(options)


def _modes(data, combo) -> set[str] | None:
    mode = combo.get("mode")
    return None if mode is None else {mode}


def _cells(world, period: str, institutions, modes) -> set[tuple[str, str]]:
    """The cells a figure over these institutions (and modes) covers, as its filters say."""
    survey = world.survey
    part = survey[(survey["period"].astype(str) == period) & survey["institution_id"].isin(set(institutions))]
    if modes is not None:
        part = part[part["mode"].isin(modes)]
    return set(zip(part["institution_id"].astype(str), part["mode"].astype(str), strict=True))


def _vector(frame: pd.DataFrame) -> np.ndarray | None:
    if frame.empty or bool(frame["withheld"].all()):
        return None
    return np.array([*frame["count"].to_numpy(dtype=float), float(frame["base"].iloc[0])])


def _distribution_families(world, data):
    """Every published distribution of the tested questions: naive and declared attacks per question and period."""
    naive, declared, groups, problems = {}, {}, defaultdict(set), []
    combos = _combinations(data)
    for period in data.periods:
        questions = {}
        for code in QUESTIONS:
            question = data.question(QID, code)
            names = [c[0] for c in question.choices]
            truth = truth_cells(world.survey, code, names, period, multiple=question.multiple)
            family = f"{code} in {period}"
            naive[family] = LinearAttack(family, truth, K)
            declared[family] = LinearAttack(family, truth, K)
            questions[code] = (family, truth, len(names))
        scopes_done = set()
        for combo in combos:
            view = data.with_(filters=Filters(period=period, **combo))
            if not view.selected:
                continue  # nothing selected, nothing published
            modes = _modes(data, combo)
            scopes = [None]
            for scope in view.ranking()[
                "institution_id"
            ]:  # one institution: independent of the other filters
                if (scope, combo.get("mode")) not in scopes_done:
                    scopes_done.add((scope, combo.get("mode")))
                    scopes.append(scope)
            for scope in scopes:
                institutions = [scope] if scope is not None else view.selected
                cells = _cells(world, period, institutions, modes)
                label = f"{combo}{'' if scope is None else ' / ' + scope}"
                for code, (family, truth, size) in questions.items():
                    groups[family].add(frozenset(cells))
                    frame = view.distribution(QID, code, institution_id=scope)
                    vector = _vector(frame)
                    if vector is None:
                        continue
                    naive[family].add(cells, vector, label)
                    claimed = frame.attrs.get("cells")
                    if claimed is None:
                        problems.append(f"{family} {label}: the figure does not declare the cells it covers")
                        continue
                    claimed = {tuple(c) for c in claimed}
                    true_sum = sum((truth[c] for c in claimed if c in truth), np.zeros(size + 1))
                    if not np.allclose(true_sum, vector):
                        problems.append(f"{family} {label}: declares cells whose answers do not add up to it")
                    declared[family].add(claimed, vector, label)
    return naive, declared, groups, problems


@pytest.fixture(scope="module")
def distributions(world, council_data):
    return _distribution_families(world, council_data)


def test_the_world_has_small_groups_at_every_level(world, council_data):
    """The attack is only worth something if there is something to find."""
    sizes = world.survey.groupby(["institution_id", "period"]).size()
    assert {key for key, n in sizes.items() if n < K} == SMALL_GROUPS
    institutions = world.sample.frames["institutions"]
    assert institutions["region"].isna().any()
    assert (institutions.groupby("municipality").size() == 1).any()
    assert (institutions.groupby("type").size() == 1).any()
    assert (world.survey.groupby("mode").size() == 1).any()


def test_no_distribution_can_be_differenced(distributions):
    """Total minus siblings, with minus without one filter value, any linear combination of the published
    distributions: no group of fewer than k respondents comes back (naive attacker: every figure covers
    what its filters select)."""
    naive, _declared, groups, _problems = distributions
    leaks = [leak for family, attack in naive.items() for leak in attack.recover(groups[family])]
    assert not leaks, _report(leaks, "small groups")


def test_every_distribution_declares_truthfully_what_it_covers_and_no_small_group_is_in_the_span(
    distributions,
):
    """The informed attacker: each figure says which cells it sums (and they do add up to it); no small
    group is a linear combination of published figures, so no subtraction can isolate one."""
    _naive, declared, groups, problems = distributions
    assert not problems, "\n".join(problems[:20])
    spans = [name for family, attack in declared.items() for name in attack.in_span(groups[family])]
    assert not spans, "small groups in the span of published figures:\n" + "\n".join(spans[:40])


def test_a_mode_can_be_filtered_and_is_attacked(council_data):
    """The dashboard offers the interview mode as a filter of answer distributions, so the attack above
    covers a mode with a single interview."""
    modes = [value for _, value in council_data.options().get("mode", [])]
    assert {"face_to_face", "telephone", "self_completed"} <= set(modes)


# --- the rating --------------------------------------------------------------------------------------------------
def _published_places(ranking: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "institution_id": ranking["institution_id"],
            "place": ranking["rank"].astype(object).where(ranking["rank"].notna(), None),
            "of": ranking["rank_of"].astype(object).where(ranking["rank_of"].notna(), None),
            "shown": ranking["S"].notna() & ~ranking["withheld"].astype(bool),
        }
    )


def test_places_never_bracket_a_withheld_institution(council_data, raw):
    """Places are ranks among the published institutions only: no gap where a withheld one would sit, the
    'of' counts the published ones, and every filter shows each institution at the same place."""
    leaks = []
    for period in council_data.periods:
        data = council_data.with_(filters=Filters(period=period))
        truth = raw[raw["period"].astype(str) == period][["institution_id", "S"]]
        everyone = data.ranking()
        leaks += place_leaks(_published_places(everyone), truth, f"ranking {period}")
        official = dict(zip(everyone["institution_id"], everyone["rank"].astype(object), strict=True))
        for combo in _combinations(council_data, modes=False):
            part = council_data.with_(filters=Filters(period=period, **combo)).ranking()
            for ident, rank in zip(part["institution_id"], part["rank"].astype(object), strict=True):
                assert _same_place(rank, official[ident]), (combo, ident)
        # the chart a council member looks at: the places written before the names
        figure = charts.rating_chart(data)
        labels = [str(y) for trace in figure.data if trace.y is not None for y in trace.y]
        chart = pd.DataFrame(
            {
                "institution_id": everyone["institution_id"],
                "place": [
                    int(m.group(1)) if (m := re.match(r"(?:<b>)?(\d+)\. ", lbl)) else None
                    for lbl in _labels_in_order(everyone, labels)
                ],
                "of": None,
                "shown": _published_places(everyone)["shown"],
            }
        )
        leaks += place_leaks(chart, truth, f"rating chart {period}")
    assert not leaks, _report(leaks, "brackets")


def _same_place(a, b) -> bool:
    missing = [x is None or x is pd.NA or (isinstance(x, float) and x != x) for x in (a, b)]
    return all(missing) or (not any(missing) and int(a) == int(b))


def _labels_in_order(ranking: pd.DataFrame, labels: list[str]) -> list[str]:
    """The chart's axis label of each institution of the ranking (labels carry the wrapped name)."""
    plain = {}
    for label in labels:
        text = re.sub(r"<br>", " ", label)
        text = re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        text = re.sub(r"^\s*(\d+\.|–)\s*", "", " ".join(text.split()))
        plain[label] = text
    out = []
    for name in ranking["name"]:
        name = " ".join(str(name).split())
        exact = [lbl for lbl, text in plain.items() if text == name]
        cut = [
            lbl for lbl, text in plain.items() if text.endswith("…") and name.startswith(text[:-1].strip())
        ]
        out.append((exact or cut or [""])[0])
    return out


def _truth_by_period(raw: pd.DataFrame, withheld: set[tuple[str, str]]) -> dict:
    truth = {
        (str(i), str(p)): float(s)
        for i, p, s in zip(raw["institution_id"], raw["period"], raw["S"], strict=True)
    }
    truth["__withheld__"] = withheld
    return truth


def test_scores_cannot_be_recovered_from_changes_parents_or_means(council_data, raw, raw_indicators):
    table = council_data.rating.table
    withheld = {
        (str(i), str(p))
        for i, p, w in zip(table["institution_id"], table["period"], table["S_withheld"], strict=True)
        if w
    }
    truth = _truth_by_period(raw, withheld)
    leaks = []
    profile = council_data.profile
    parents = {"S": [c.id for c in profile.criteria]}
    for criterion in profile.criteria:
        parents[criterion.id] = [i.id for i in criterion.indicators]
    for period in council_data.periods:
        data = council_data.with_(filters=Filters(period=period))
        ranking = data.ranking()
        leaks += change_leaks(
            pd.DataFrame(
                {
                    "institution_id": ranking["institution_id"],
                    "period": period,
                    "previous_period": ranking["previous_period"],
                    "S": ranking["S"],
                    "change": ranking["change_S"],
                }
            ),
            truth,
            f"ranking {period}",
        )
        for ident in ranking["institution_id"]:
            view = data.institution(ident, period)
            if view.period != period:
                continue
            m = view.measures
            shown = pd.DataFrame(
                {
                    "id": [*m["id"], "S"],
                    "shown": [*(m["value"].notna() & ~m["withheld"].astype(bool)), view.shown],
                }
            )
            leaks += complement_leaks(shown, parents, f"{ident} {period}")
        for region in [None, *[v for _, v in data.options()["region"] if v is not None]]:
            view = data.with_(region=region)
            selected = set(view.selected)
            rated = raw[
                (raw["period"].astype(str) == period)
                & raw["institution_id"].isin(selected)
                & raw["S"].notna()
            ]
            shown = view.ranking()
            shown_s = shown.loc[shown["S"].notna(), "S"].to_numpy(dtype=float)
            hidden = {
                i: float(s)
                for i, s in zip(rated["institution_id"], rated["S"], strict=True)
                if i not in set(shown.loc[shown["S"].notna(), "institution_id"])
            }
            leaks += mean_leaks(
                view.regional_mean("S"),
                len(rated),
                shown_s,
                hidden,
                f"regional mean {period} {region}",
                0.01 * len(rated),
            )
    assert not leaks, _report(leaks, "withheld scores")


def test_fieldwork_progress_shows_no_small_count_and_no_interviewer(council_data, council_store):
    leaks = []
    for period in council_data.periods:
        for combo in _combinations(council_data, modes=False):
            data = council_data.with_(filters=Filters(period=period, **combo))
            progress = data.progress("institution")
            if progress.empty:
                continue
            leaks += small_counts_seen(
                ((f"{period} {row.label}", row.done) for row in progress.itertuples()), K, "progress"
            )
            # what is withheld stays withheld in the columns computed from it
            hidden = progress["done"].isna()
            assert progress.loc[hidden, ["remaining", "share"]].isna().all().all()
    assert not leaks, _report(leaks, "small fieldwork counts")
    with pytest.raises(AccessDenied):
        council_data.progress("interviewer")


# --- the council workbook ------------------------------------------------------------------------------------------
def _sheet(book, name: str) -> pd.DataFrame:
    sheet = book[name[:31]]
    rows = list(sheet.values)
    if not rows:
        return pd.DataFrame()
    # a read-only sheet leaves out a row's empty cells at its end: pad to the header
    width = len(rows[0])
    assert all(len(r) <= width for r in rows), f"sheet {name}: a row is wider than its header"
    return pd.DataFrame([tuple(r) + (None,) * (width - len(r)) for r in rows[1:]], columns=rows[0])


def _workbook_views(council_data):
    for period in council_data.periods:
        yield period, {}, council_data.with_(filters=Filters(period=period))
        for name, values in council_data.options().items():
            if name in ("period", "mode"):
                continue
            for _, value in values[1:]:
                yield (
                    period,
                    {name: value},
                    council_data.with_(filters=Filters(period=period, **{name: value})),
                )


def test_the_council_workbook_cannot_be_attacked(council_data, raw):
    lang = council_data.language
    table = council_data.rating.table
    withheld = {
        (str(i), str(p))
        for i, p, w in zip(table["institution_id"], table["period"], table["S_withheld"], strict=True)
        if w
    }
    truth = _truth_by_period(raw, withheld)
    c = lambda key: t(f"export.col.{key}", lang)  # noqa: E731
    leaks = []
    for period, combo, data in _workbook_views(council_data):
        book = openpyxl.load_workbook(io.BytesIO(council_workbook(data)), read_only=True)
        rating = _sheet(book, t("export.sheet.rating", lang))
        where = f"workbook {period} {combo}"
        if rating.empty:
            continue
        score = pd.to_numeric(rating[c("score")], errors="coerce")
        published = pd.DataFrame(
            {
                "institution_id": rating[c("institution_id")],
                "place": rating[c("place")],
                "of": rating[c("of")],
                "shown": score.notna(),
            }
        )
        full = data.with_(filters=Filters(period=period)).ranking()
        if not combo:  # places are checked on the whole rating; a selection keeps the official places
            leaks += place_leaks(
                published, raw[raw["period"].astype(str) == period][["institution_id", "S"]], where
            )
        else:
            official = dict(zip(full["institution_id"], full["rank"].astype(object), strict=True))
            for ident, place in zip(published["institution_id"], published["place"], strict=True):
                assert _same_place(place, official[ident]), (where, ident, place, official[ident])
        leaks += small_counts_seen(
            zip(rating[c("institution")], rating[c("respondents")], strict=True), K, where
        )
        previous = {i: p for i, p in zip(full["institution_id"], full["previous_period"], strict=True)}
        leaks += change_leaks(
            pd.DataFrame(
                {
                    "institution_id": rating[c("institution_id")],
                    "period": period,
                    "previous_period": [previous.get(i) for i in rating[c("institution_id")]],
                    "S": score,
                    "change": pd.to_numeric(rating[c("change")], errors="coerce"),
                }
            ),
            truth,
            where,
        )
        measures = _sheet(book, t("export.sheet.measures", lang))
        profile = council_data.profile
        parents = {c2.id: [i.id for i in c2.indicators] for c2 in profile.criteria}
        parents["S"] = [c2.id for c2 in profile.criteria]
        for ident, part in measures.groupby(c("institution_id")) if len(measures) else []:
            shown_s = bool(score[rating[c("institution_id")] == ident].notna().any())
            values = part[c("value")]
            frame = pd.DataFrame(
                {
                    "id": [*part[c("measure")].astype(str), "S"],
                    # a number is shown; any words in its place ("n < 5", "withheld so that...") hide it
                    "shown": [*pd.to_numeric(values, errors="coerce").notna(), shown_s],
                }
            )
            leaks += complement_leaks(frame, parents, f"{where} {ident}")
            leaks += small_counts_seen(
                (
                    (f"{where} {ident} {m}", n)
                    for m, n in zip(part[c("measure")], part[c("respondents")], strict=True)
                ),
                K,
                "workbook",
            )
    assert not leaks, _report(leaks, "withheld figures")


# --- the reports ---------------------------------------------------------------------------------------------------
def _keyfigs(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<div class="v">(.*?)</div><div class="l">(.*?)</div>', html)


def test_the_reports_cannot_be_attacked(council_data, raw):
    """The regional report (rating table, key figures) and every institution's report (key figures): places,
    changes, respondents and the regional sum of respondents."""
    data_en = council_data.with_(language="en")
    table = council_data.rating.table
    withheld = {
        (str(i), str(p))
        for i, p, w in zip(table["institution_id"], table["period"], table["S_withheld"], strict=True)
        if w
    }
    truth = _truth_by_period(raw, withheld)
    true_n = {
        (str(i), str(p)): n
        for i, p, n in zip(raw["institution_id"], raw["period"], raw["n_respondents"], strict=True)
    }
    leaks = []
    for period in council_data.periods:
        data = data_en.with_(filters=Filters(period=period))
        ranking = data.ranking()
        region = RegionReport(data)
        rows = re.findall(
            r"<tr><td class='num'>(\d*)</td><td>(.*?)</td><td class='num'>(.*?)</td>(.*?)</tr>",
            region.rating_table().html,
        )
        by_name = dict(zip(ranking["name"], ranking["institution_id"], strict=True))
        published = pd.DataFrame(
            {
                "institution_id": [by_name.get(name.replace("&quot;", '"')) for _, name, _, _ in rows],
                "place": [int(p) if p else None for p, _, _, _ in rows],
                "of": None,
                "shown": ["withheld" not in score for _, _, score, _ in rows],
            }
        )
        where = f"region report {period}"
        leaks += place_leaks(
            published, raw[raw["period"].astype(str) == period][["institution_id", "S"]], where
        )
        n_cells = [re.findall(r"<td class='num'>([^<]*)</td>$", rest) for *_, rest in rows]
        leaks += small_counts_seen(
            (
                (f"{where} {name}", (n[0] if n else ""))
                for (_, name, _, _), n in zip(rows, n_cells, strict=True)
            ),
            K,
            where,
        )
        figures = dict((label, value) for value, label in _keyfigs(region.key_figures().html))
        shown_n = t("report.key.respondents_shown", "en")
        if shown_n in figures:
            total = numbers(figures[shown_n])[0]
            shown = ranking.loc[ranking["n"].notna(), "n"].astype(float).sum()
            hidden = {
                i: float(true_n[(i, period)])
                for i in ranking["institution_id"]
                if ranking.set_index("institution_id").loc[i, "n"] is pd.NA and (i, period) in true_n
            }
            if len(hidden) == 1:
                leaks += mean_leaks(total, 1, [shown], hidden, f"{where}: respondents", 0.5)
        for ident in ranking["institution_id"]:
            report = InstitutionReport(data, ident)
            if report.view.period != period:
                continue
            html = report.key_figures().html
            for value, label in _keyfigs(html):
                if label.startswith(t("report.key.place", "en", of="").strip()):
                    of = numbers(label)[0]
                    shown_ranked = ranking["rank"].notna().sum()
                    if of != shown_ranked:
                        leaks.append(
                            Leak("place", f"{where} {ident}", f"'of {of}' with {shown_ranked} places shown")
                        )
                if label == t("report.key.respondents", "en"):
                    leaks += small_counts_seen([(f"report {ident} {period}", value)], K, "report")
                if label.startswith(t("report.key.change", "en", previous="").strip()):
                    prev = report.view.row.get("previous_period")
                    s = report.view.S
                    leaks += change_leaks(
                        pd.DataFrame(
                            {
                                "institution_id": [ident],
                                "period": [period],
                                "previous_period": [prev],
                                "S": [s],
                                "change": [numbers(value)[0]],
                            }
                        ),
                        truth,
                        f"report {ident}",
                    )
    assert not leaks, _report(leaks, "withheld figures")
