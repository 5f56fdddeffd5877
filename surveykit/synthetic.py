"""Synthetic answers for any questionnaire: demo data, practice personas, benchmarks and tests.

:func:`synthesize` draws ``n`` interviews of a form, variable by variable, and then lets the engine apply
the questionnaire's own logic: values of questions that would not be asked are dropped and calculations
are computed (the same evaluation as validation). Realism comes from *tilts*: for chosen questions a
function returns the probabilities of each choice or the values, given a per-interview latent variable
(e.g. an institution's quality), so that answers correlate the way real ones do.

Everything is vectorised with numpy and reproducible from the random generator passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveykit.expressions import Kind
from surveykit.questionnaire.compiled import Form, Variable, compile_form
from surveykit.questionnaire.frame import empty_mask
from surveykit.questionnaire.model import Questionnaire, QuestionType
from surveykit.questionnaire.validate import Evaluation

__all__ = [
    "FALSIFIER_KINDS",
    "INSTITUTION_KINDS",
    "Fieldwork",
    "Synthetic",
    "Tilt",
    "fieldwork",
    "sequential_times",
    "synthesize",
]

#: ``tilt(latent, rng) -> values``: for a choice question an (n, k) array of choice probabilities or an array
#: of choice names; for other questions an array of values. ``latent`` is the per-row latent variable in [0, 1].
Tilt = Callable[[np.ndarray, np.random.Generator], Any]


@dataclass
class Synthetic:
    """Synthetic interviews: the canonical main frame and repeat frames (``_parent``/``_index``)."""

    data: pd.DataFrame
    repeats: dict[str, pd.DataFrame]

    def answers(self, row: int) -> dict[str, Any]:
        """One interview as Python values (what the store and the session use)."""
        from surveykit.questionnaire.frame import python_value, to_working

        form: Form = self.data.attrs["form"]
        answers: dict[str, Any] = {}
        for var in form.variables_of(None):
            answers[var.code] = python_value(var, to_working(var, self.data[var.code].iloc[row : row + 1]), 0)
        for code, frame in self.repeats.items():
            instances = frame[frame["_parent"] == row]
            answers[code] = [
                {
                    v.code: python_value(v, to_working(v, instances[v.code].iloc[i : i + 1]), 0)
                    for v in form.variables_of(code)
                }
                for i in range(len(instances))
            ]
        return answers


def _choice_values(
    var: Variable, n: int, latent: np.ndarray, rng: np.random.Generator, tilt: Tilt | None
) -> np.ndarray:
    names = np.asarray(var.choice_names, dtype=object)
    if tilt is not None:
        drawn = tilt(latent, rng)
        drawn = np.asarray(drawn)
        if drawn.ndim == 2:  # probabilities per row
            cumulative = np.cumsum(drawn / drawn.sum(axis=1, keepdims=True), axis=1)
            index = (rng.random((n, 1)) > cumulative).sum(axis=1)
            return names[np.minimum(index, len(names) - 1)]
        return drawn.astype(object)
    substantive = np.flatnonzero([name not in var.missing_names for name in names])
    weights = np.full(len(names), 0.02)  # coded missing answers (don't know, refused) are rare
    weights[substantive] = 1.0
    weights /= weights.sum()
    return rng.choice(names, size=n, p=weights)


def _values(
    var: Variable, n: int, latent: np.ndarray, rng: np.random.Generator, tilt: Tilt | None, today: dt.date
):
    q = var.question
    if var.kind is Kind.MULTI:
        names = list(var.choice_names)
        picks = rng.random((n, len(names))) < (np.asarray(tilt(latent, rng)) if tilt else 0.35)
        if var.required is not False and names:  # a required multiple choice gets at least one choice
            nothing = ~picks.any(axis=1)
            picks[np.flatnonzero(nothing), rng.integers(0, len(names), int(nothing.sum()))] = True
        return np.array(
            [" ".join(name for name, on in zip(names, row, strict=True) if on) or None for row in picks],
            dtype=object,
        )
    if var.choices:
        return _choice_values(var, n, latent, rng, tilt)
    if tilt is not None:
        return np.asarray(tilt(latent, rng), dtype=object)
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        low = q.min if q.min is not None else 0.0
        high = q.max if q.max is not None else max(low + 10.0, 100.0)
        values = rng.uniform(low, high, n)
        return np.floor(values).astype(float) if var.kind is Kind.INTEGER else np.round(values, 2)
    if var.kind is Kind.DATE:
        offsets = rng.integers(0, 180, n)
        return np.array([today - dt.timedelta(days=int(d)) for d in offsets], dtype=object)
    if var.kind is Kind.TIME:  # working hours, whole minutes
        minutes = rng.integers(8 * 60, 18 * 60, n)
        return np.array([f"{m // 60:02d}:{m % 60:02d}:00" for m in minutes], dtype=object)
    if var.kind is Kind.DATETIME:  # within half a year either side of today, working hours
        days = rng.integers(-180, 180, n)
        minutes = rng.integers(8 * 60, 18 * 60, n)
        return np.array(
            [
                (
                    dt.datetime.combine(today, dt.time()) + dt.timedelta(days=int(d), minutes=int(m))
                ).isoformat()
                for d, m in zip(days, minutes, strict=True)
            ],
            dtype=object,
        )
    if q.type is QuestionType.GEOPOINT:  # somewhere in a town: a few km around one point
        lat = 55.75 + rng.normal(0, 0.03, n)
        lon = 37.62 + rng.normal(0, 0.05, n)
        return np.array([f"{a:.6f} {b:.6f}" for a, b in zip(lat, lon, strict=True)], dtype=object)
    if q.type.is_media:  # no file can be made up: a file question stays unanswered in synthetic data
        return np.full(n, None, dtype=object)
    if var.required is not False:  # required free text gets a placeholder; optional text stays empty
        return np.array([f"{var.code} {i + 1}" for i in range(n)], dtype=object)
    return np.full(n, None, dtype=object)


_REPAIR_ROUNDS = 8


def _satisfy_constraints(
    form: Form,
    main: dict[str, Any],
    n: int,
    repeats: dict[str, tuple[dict[str, Any], np.ndarray]],
    latent: np.ndarray,
    rng: np.random.Generator,
    today: dt.date,
) -> Evaluation:
    """Evaluate; where an answer breaks its question's constraint, draw it again (untilted; a multiple
    choice as one choice), and after a few rounds leave it unanswered."""
    constrained = [v for v in form.variables.values() if v.constraint is not None and v.calculation is None]
    for round_ in range(_REPAIR_ROUNDS + 1):
        evaluation = Evaluation(form, main, n, repeats, report_not_relevant=False)
        failures = {v.code: evaluation.constraint_failures(v.code) for v in constrained}
        failures = {code: mask for code, mask in failures.items() if mask.any()}
        refiltered = _apply_choice_filters(form, evaluation, main, repeats, rng)
        if (not failures and not refiltered) or round_ == _REPAIR_ROUNDS:
            return evaluation
        for code, mask in failures.items():
            var = form.variables[code]
            columns = main if var.repeat is None else repeats[var.repeat][0]
            rows = np.flatnonzero(mask)
            level_latent = latent if var.repeat is None else latent[repeats[var.repeat][1]]
            if round_ == _REPAIR_ROUNDS - 1:
                redrawn = np.full(len(rows), None, dtype=object)
            elif var.kind is Kind.MULTI:
                redrawn = rng.choice(np.asarray(var.choice_names, dtype=object), size=len(rows))
            elif var.choices:  # try the choices in turn, so that each row meets every choice
                names = np.asarray(var.choice_names, dtype=object)
                redrawn = names[(rows + round_ + 1) % len(names)]
            elif var.kind is Kind.DATE:  # after today, then before it: "after" and "before" rules both pass
                sign = 1 if round_ % 2 == 0 else -1
                days = rng.integers(1, 366, len(rows))
                redrawn = np.array([today + dt.timedelta(days=sign * int(d)) for d in days], dtype=object)
            elif var.kind is Kind.STRING:  # text: try forms the constraint itself mentions, in turn
                samples = _text_samples(var.constraint.text)
                redrawn = np.array([samples[(r + round_) % len(samples)] for r in rows], dtype=object)
            else:
                redrawn = _values(var, len(rows), level_latent[rows], rng, None, today)
            column = np.array(columns[code], dtype=object)
            column[rows] = redrawn
            columns[code] = column
    return evaluation


_LITERAL = re.compile(r"(['\"])(.*?)\1")
_TEXTS = ("https://example.org/page", "test@example.org", "+7 900 000-00-01", "12345", "Текст", "A1")


def _text_samples(expression: str) -> list[str]:
    """Texts to try for a constrained text question: the literals of its constraint and around them."""
    literals = [
        m.group(2) for m in _LITERAL.finditer(expression) if m.group(2) and not m.group(2).startswith("^")
    ]
    samples = [form for lit in literals for form in (lit, f"{lit}example.org/1", f"example {lit}")]
    return samples + list(_TEXTS)


def _apply_choice_filters(
    form: Form,
    evaluation: Evaluation,
    main: dict[str, Any],
    repeats: dict[str, tuple[dict[str, Any], np.ndarray]],
    rng: np.random.Generator,
) -> bool:
    """Replace answers the choice filter does not offer with offered ones (or none). True if anything changed."""
    changed = False
    for var in form.variables.values():
        if var.choice_filter is None or var.calculation is not None:
            continue
        level = evaluation.levels[var.repeat]
        values = level.values[var.code]
        rows = np.flatnonzero(level.relevant[var.code] & ~empty_mask(values))
        if not rows.size:
            continue
        names = np.asarray(var.choice_names, dtype=object)
        k = len(names)
        offered = evaluation.choice_filter_mask(
            var, level, np.repeat(rows, k), list(np.tile(names, rows.size))
        )
        offered = np.asarray(offered, dtype=bool).reshape(rows.size, k)
        columns = main if var.repeat is None else repeats[var.repeat][0]
        column = np.array(columns[var.code], dtype=object)
        for i, row in enumerate(rows):
            chosen = str(values[row]).split()
            allowed = names[offered[i]]
            if all(c in allowed for c in chosen):
                continue
            if var.kind is Kind.MULTI:
                kept = [c for c in chosen if c in allowed]
                if not kept and allowed.size:
                    kept = [str(rng.choice(allowed))]
                column[row] = " ".join(kept) or None
            else:
                column[row] = str(rng.choice(allowed)) if allowed.size else None
            changed = True
        columns[var.code] = column
    return changed


def synthesize(
    questionnaire: Questionnaire | Form,
    n: int,
    rng: np.random.Generator,
    *,
    latent: np.ndarray | None = None,
    tilts: Mapping[str, Tilt] | None = None,
    repeat_sizes: Mapping[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] | None = None,
    today: dt.date | None = None,
) -> Synthetic:
    """``n`` synthetic interviews. Non-relevant answers are dropped and calculations computed by the
    engine, so the result obeys the questionnaire's skip logic. Constraints are the caller's business:
    tilts should produce valid values for constrained questions (the demo checks with validation)."""
    form = questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)
    tilts = dict(tilts or {})
    latent = rng.random(n) if latent is None else np.asarray(latent, dtype=float)
    today = today or dt.date.today()
    main: dict[str, Any] = {}
    for var in form.variables_of(None):
        if var.calculation is None and var.question.type is not QuestionType.NOTE:
            main[var.code] = _values(var, n, latent, rng, tilts.get(var.code), today)
    repeats: dict[str, tuple[dict[str, Any], np.ndarray]] = {}
    for code in form.repeats:
        parent = form.repeat_parent[code]
        if parent is not None:
            continue  # nested repeats are left empty in synthetic data
        count_expr = form.repeat_count.get(code)
        if repeat_sizes and code in repeat_sizes:
            sizes = np.asarray(repeat_sizes[code](latent, rng), dtype=int)
        elif count_expr is not None and len(count_expr.references) == 1:
            (ref,) = count_expr.references
            sizes = np.nan_to_num(
                pd.to_numeric(pd.Series(main.get(ref, np.zeros(n))), errors="coerce").to_numpy()
            ).astype(int)
        else:
            sizes = rng.integers(0, 3, n)
        sizes = np.clip(sizes, 0, 20)
        parents = np.repeat(np.arange(n), sizes)
        m = len(parents)
        sub_latent = latent[parents]
        columns = {
            var.code: _values(var, m, sub_latent, rng, tilts.get(var.code), today)
            for var in form.variables_of(code)
            if var.calculation is None
        }
        repeats[code] = (columns, parents)
    evaluation = _satisfy_constraints(form, main, n, repeats, latent, rng, today)
    data = evaluation.canonical(None)
    data.attrs["form"] = form
    return Synthetic(data=data, repeats={code: evaluation.canonical(code) for code in repeats})


# --------------------------------------------------------------------------------------------------------
# fieldwork with planted falsifiers (for the quality checks, their tests and benchmark, and the demo)
# --------------------------------------------------------------------------------------------------------

#: the kinds of falsifying interviewer :func:`fieldwork` can plant, and what each does to their interviews
FALSIFIER_KINDS: dict[str, str] = {
    "too_fast": "every interview takes 2.5-5 minutes (under half the usual median)",
    "high_throughput": "9-12 minute interviews back to back: 5 or more completes an hour",
    "overlap": "four in ten interviews are followed by one that starts before they have ended",
    "outside_hours": "half of the working days start at 21:15 local time",
    "straight_liner": "nine in ten interviews: the first choice ('yes') on every substantive item",
    "filter_avoider": "nine in ten filter answers close the follow-ups ('no')",
    "dont_knower": "a third of the substantive answers are coded 'don't know'",
    "item_skipper": "a quarter of the relevant substantive questions are left unanswered",
    "duplicator": "seven in ten interviews are copies of their own earlier ones, half with one answer changed",
    "curbstoner": "eight in ten open answers are one of two stock phrases of their own",
}
#: the kinds of institution-level fabrication :func:`fieldwork` can plant
INSTITUTION_KINDS: dict[str, str] = {
    "all_yes": "every form by one interviewer, every substantive answer 'yes' (a 100 % result)",
}

_OPENINGS = (
    "Хотелось бы",
    "Прошу",
    "Было бы хорошо",
    "Предлагаю",
    "Нужно",
    "Желательно",
    "Просим",
    "Надо бы",
)
_ACTIONS = ("чаще проводить", "организовать", "улучшить", "добавить", "расширить", "наладить", "обновить",
            "продлить")  # fmt: skip
_OBJECTS = ("занятия физкультурой", "работу кружков", "уборку в коридорах", "питание", "график работы",
            "запись к врачу", "информацию на стенде", "доступ для колясок", "работу телефона",
            "досуг по выходным")  # fmt: skip
_PLACES = ("для пожилых", "в отделении", "на втором этаже", "по вечерам", "в нашем корпусе",
           "для родственников", "летом", "зимой", "для новых получателей", "в субботу")  # fmt: skip
_STOCK = (
    "Всё отлично, претензий нет никаких",
    "Замечаний нет, всё устраивает полностью",
    "Персонал вежливый, условия очень хорошие",
    "Очень довольна обслуживанием, большое спасибо",
    "Претензий к организации не имею",
    "Всё хорошо, пожеланий нет",
    "Спасибо всем сотрудникам за заботу и внимание",
    "Условия прекрасные, так держать",
    "Обслуживанием полностью удовлетворена",
    "Работой центра довольны всей семьёй",
)


@dataclass
class Fieldwork:
    """Synthetic fieldwork with planted falsifiers and the ground truth.

    ``frame``: the canonical interview frame (meta columns, times in UTC, then the answers), what
    ``store.interviews_frame`` returns. ``interviews``: ``interview_id``, ``interviewer_id``,
    ``institution_id``, ``planted`` (the kind of falsification applied to *this* interview, ``""`` when it
    is honest). ``interviewers``: ``interviewer_id`` and ``kind`` (``"honest"`` or a key of
    :data:`FALSIFIER_KINDS`). ``institutions``: ``institution_id``, ``kind`` (``"honest"`` or a key of
    :data:`INSTITUTION_KINDS`), ``quality`` (the hidden latent quality).
    """

    frame: pd.DataFrame
    interviews: pd.DataFrame
    interviewers: pd.DataFrame
    institutions: pd.DataFrame


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


_GATE = re.compile(r"^\s*\.\s*=\s*'([^']*)'\s*$")


def _probabilities(var: Variable, first: np.ndarray, dk: np.ndarray | float) -> np.ndarray:
    """Per-row probabilities over the choices: ``first`` for the first substantive choice, the rest of the
    substantive mass spread evenly over the others, ``dk`` on the first coded-missing choice (if any)."""
    names = var.choice_names
    n = len(first)
    missing = [i for i, name in enumerate(names) if name in var.missing_names]
    substantive = [i for i, name in enumerate(names) if name not in var.missing_names]
    dk = np.broadcast_to(np.asarray(dk, dtype=float), (n,)) if missing else np.zeros(n)
    out = np.zeros((n, len(names)))
    out[:, substantive[0]] = first * (1 - dk)
    rest = substantive[1:]
    for i in rest:
        out[:, i] = (1 - first) * (1 - dk) / len(rest)
    if missing:
        out[:, missing[0]] = dk
    if not rest:
        out[:, substantive[0]] = 1 - dk
    return out


def _closing_choice(var: Variable) -> str:
    """The answer to a filter that skips its follow-ups: 'no' when the list has it, else the last substantive."""
    substantive = [name for name in var.choice_names if name not in var.missing_names]
    return "no" if "no" in substantive else substantive[-1]


def fieldwork(
    questionnaire: Questionnaire | Form,
    n: int,
    rng: np.random.Generator,
    *,
    interviewers: int = 60,
    institutions: int = 40,
    falsifiers: Mapping[str, int] | None = None,
    institution_falsifiers: Mapping[str, int] | None = None,
    start: dt.date = dt.date(2026, 3, 2),
    timezone: str = "Europe/Moscow",
    modes: Mapping[str, float] | None = None,
    period: str = "2026",
    chunk: int = 100_000,
) -> Fieldwork:
    """``n`` interviews of fieldwork by ``interviewers`` interviewers at ``institutions`` institutions, with
    planted falsifiers: ``falsifiers={"straight_liner": 2, "duplicator": 1}`` makes that many interviewers of
    each kind of :data:`FALSIFIER_KINDS`, ``institution_falsifiers={"all_yes": 1}`` that many institutions
    of :data:`INSTITUTION_KINDS`.

    Honest fieldwork: each institution has a hidden quality and a team of two interviewers; answers to the
    substantive items follow a logistic model of the respondent's latent satisfaction (institution quality
    plus noise) with item-specific ease, filters have institution-specific rates, 3 % "don't know"; each
    interviewer works 4-7 interviews a day, one after the other from 09:00-11:00 local time (8 + Gamma(4, 3)
    minutes each, at least 12 minutes in between, so never more than 3 an hour); three in ten respondents
    write an open answer in their own words. Everything is vectorised and reproducible from ``rng``.
    """
    from surveykit.quality.items import form_items

    form = questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)
    roles = form_items(form)
    falsifiers = {k: int(v) for k, v in (falsifiers or {}).items() if v}
    institution_falsifiers = {k: int(v) for k, v in (institution_falsifiers or {}).items() if v}
    unknown = (set(falsifiers) - set(FALSIFIER_KINDS)) | (
        set(institution_falsifiers) - set(INSTITUTION_KINDS)
    )
    if unknown:
        raise ValueError(
            f"unknown falsifier kind(s) {sorted(unknown)}; known: {sorted(FALSIFIER_KINDS)} and "
            f"{sorted(INSTITUTION_KINDS)}"
        )
    a, b = int(interviewers), int(institutions)
    if a < 2 or b < 1:
        raise ValueError("fieldwork needs at least 2 interviewers and 1 institution")

    # institutions, teams, interviewers --------------------------------------------------------------
    quality = np.clip(rng.beta(5, 2, b), 0.05, 0.98)
    team = np.column_stack([np.arange(b) % a, (np.arange(b) + max(b, a // 2 + 1)) % a])
    same = team[:, 0] == team[:, 1]
    team[same, 1] = (team[same, 0] + 1) % a
    institution_kind = np.full(b, "honest", dtype=object)
    chosen = rng.permutation(b)
    cursor = 0
    for kind, count in institution_falsifiers.items():
        institution_kind[chosen[cursor : cursor + count]] = kind
        cursor += count
    special = np.flatnonzero(institution_kind != "honest")
    reserved = set(team[special].ravel().tolist())  # the fabricating team is no falsifier of another kind
    interviewer_kind = np.full(a, "honest", dtype=object)
    candidates = [i for i in rng.permutation(a).tolist() if i not in reserved]
    wanted = sum(falsifiers.values())
    if wanted > len(candidates):
        raise ValueError(f"{wanted} falsifiers asked for, but only {len(candidates)} interviewers are free")
    cursor = 0
    for kind, count in falsifiers.items():
        interviewer_kind[candidates[cursor : cursor + count]] = kind
        cursor += count

    # interviews: where, by whom -----------------------------------------------------------------------
    place = rng.integers(0, b, n)
    who = team[place, rng.integers(0, 2, n)]
    planted_place = institution_kind[place] != "honest"
    who[planted_place] = team[place[planted_place], 0]
    kind_of_row = interviewer_kind[who]
    latent = np.clip(quality[place] + rng.normal(0, 0.15, n), 0, 1)

    # answers, chunk by chunk --------------------------------------------------------------------------
    filter_base = {code: rng.uniform(0.25, 0.75) for code in roles.filters}
    filter_shift = {code: rng.normal(0, 0.12, b) for code in roles.filters}
    ease = {code: rng.normal(1.4, 0.5) for code in roles.substantive}
    stock = {
        int(i): rng.choice(len(_STOCK), 2, replace=False)
        for i in np.flatnonzero(interviewer_kind == "curbstoner")
    }
    lined = ((kind_of_row == "straight_liner") & (rng.random(n) < 0.9)) | (
        institution_kind[place] == "all_yes"
    )
    pieces = []
    for lo in range(0, n, max(1, chunk)):
        hi = min(n, lo + max(1, chunk))
        rows = np.arange(lo, hi)
        tilts = _fieldwork_tilts(
            form, roles, rows, place, who, kind_of_row, lined, filter_base, filter_shift, ease, stock
        )
        part = synthesize(
            form, hi - lo, rng, latent=latent[lo:hi], tilts=tilts, today=start + dt.timedelta(days=200)
        )
        pieces.append(part.data)
    data = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0].reset_index(drop=True)
    planted = np.where(kind_of_row == "honest", "", kind_of_row).astype(object)
    planted[planted_place] = institution_kind[place[planted_place]]
    _skip_items(roles, data, kind_of_row == "item_skipper", rng)
    data, copied = _duplicate(form, roles, data, who, kind_of_row == "duplicator", rng)
    planted[(kind_of_row == "duplicator") & ~copied] = ""  # a duplicator's source interviews are genuine

    # when: days, times ---------------------------------------------------------------------------------
    started, submitted, timing = _schedule(who, kind_of_row, a, start, timezone, rng)
    planted[np.isin(kind_of_row, ["too_fast", "high_throughput", "overlap", "outside_hours"]) & ~timing] = ""
    mode_shares = dict(modes or {"face_to_face": 0.85, "telephone": 0.15})
    names = list(mode_shares)
    weights = np.array([mode_shares[m] for m in names], dtype=float)
    mode = np.asarray(names, dtype=object)[rng.choice(len(names), n, p=weights / weights.sum())]
    mode[kind_of_row == "high_throughput"] = "face_to_face"
    width = max(4, len(str(n)))
    institution_ids = np.array([f"inst{j:04d}" for j in range(b)], dtype=object)
    interviewer_ids = np.array([f"int{i:04d}" for i in range(a)], dtype=object)

    def text(values) -> pd.Series:  # text meta columns are object, as in the store's frames
        return pd.Series(np.broadcast_to(np.asarray(values, dtype=object), (n,)), dtype=object)

    meta = pd.DataFrame(
        {
            "interview_id": text([f"iv{i:0{width}d}" for i in range(n)]),
            "questionnaire_id": text(form.questionnaire.id),
            "questionnaire_version": text(form.questionnaire.version),
            "institution_id": text(institution_ids[place]),
            "interviewer_id": text(interviewer_ids[who]),
            "mode": text(mode),
            "status": text("submitted"),
            "started_at": started,
            "submitted_at": submitted,
            "period": text(period),
        }
    )
    data.attrs = {}  # pandas would deep-copy the form on every operation on the frame
    frame = pd.concat([meta, data], axis=1)
    return Fieldwork(
        frame=frame,
        interviews=pd.DataFrame(
            {
                "interview_id": meta["interview_id"],
                "interviewer_id": meta["interviewer_id"],
                "institution_id": meta["institution_id"],
                "planted": planted,
            }
        ),
        interviewers=pd.DataFrame({"interviewer_id": interviewer_ids, "kind": interviewer_kind}),
        institutions=pd.DataFrame(
            {"institution_id": institution_ids, "kind": institution_kind, "quality": quality}
        ),
    )


def _fieldwork_tilts(
    form: Form,
    roles,
    rows: np.ndarray,
    place: np.ndarray,
    who: np.ndarray,
    kind_of_row: np.ndarray,
    lined: np.ndarray,
    filter_base: dict[str, float],
    filter_shift: dict[str, np.ndarray],
    ease: dict[str, float],
    stock: dict[int, np.ndarray],
) -> dict[str, Tilt]:
    """The tilts of one chunk of :func:`fieldwork`: honest answers, with each falsifier's pattern on their rows."""
    kind = kind_of_row[rows]
    liner = lined[rows]  # interviews answered "yes" throughout (straight-liners, all-"yes" institutions)
    tilts: dict[str, Tilt] = {}
    for code in roles.gates:
        found = _GATE.match(form.variables[code].constraint.text)
        if found:
            passing = found.group(1)  # the one answer the gate lets through
            tilts[code] = lambda latent, rng, value=passing: np.full(len(latent), value, dtype=object)
    for code in roles.filters:
        var = form.variables[code]
        closing = var.choice_names.index(_closing_choice(var))

        def filter_tilt(latent, rng, var=var, code=code, closing=closing):
            p = np.clip(filter_base[code] + filter_shift[code][place[rows]], 0.05, 0.95)
            probs = _probabilities(var, p, 0.0)
            avoid = (kind == "filter_avoider") & (rng.random(len(latent)) < 0.9)
            probs[avoid] = 0.0
            probs[avoid, closing] = 1.0
            return probs

        tilts[code] = filter_tilt
    for code in roles.substantive:
        var = form.variables[code]

        def item_tilt(latent, rng, var=var, code=code):
            p = _sigmoid(3.2 * (latent - 0.5) + ease[code])
            dk = np.where(kind == "dont_knower", 0.35, 0.03)
            probs = _probabilities(var, p, dk)
            probs[liner] = 0.0
            probs[liner, 0 if var.choice_names[0] not in var.missing_names else 1] = 1.0
            return probs

        tilts[code] = item_tilt
    for code in roles.open:

        def open_tilt(latent, rng):
            m = len(latent)
            text = (
                np.asarray(_OPENINGS, dtype=object)[rng.integers(0, len(_OPENINGS), m)]
                + " "
                + np.asarray(_ACTIONS, dtype=object)[rng.integers(0, len(_ACTIONS), m)]
                + " "
                + np.asarray(_OBJECTS, dtype=object)[rng.integers(0, len(_OBJECTS), m)]
                + " "
                + np.asarray(_PLACES, dtype=object)[rng.integers(0, len(_PLACES), m)]
                + "."
            )
            text = np.where(rng.random(m) < 0.3, text, None)
            for interviewer, phrases in stock.items():
                mine = np.flatnonzero((who[rows] == interviewer) & (rng.random(m) < 0.8))
                text[mine] = np.asarray(_STOCK, dtype=object)[phrases[rng.integers(0, 2, len(mine))]]
            return text

        tilts[code] = open_tilt
    return tilts


def _skip_items(roles, data: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Leave a quarter of the answered substantive questions of ``rows`` unanswered (item skippers)."""
    if not rows.any():
        return
    for code in roles.substantive:
        drop = rows & data[code].notna().to_numpy() & (rng.random(len(data)) < 0.25)
        data.loc[drop, code] = None


def _duplicate(
    form: Form, roles, data: pd.DataFrame, who: np.ndarray, rows: np.ndarray, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """Duplicators: seven in ten of their interviews become copies of one of their own others (every
    answer), half of them with one substantive answer changed. Returns the answers and the copies."""
    copied = np.zeros(len(data), dtype=bool)
    if not rows.any():
        return data, copied
    source = np.arange(len(data))
    for interviewer in np.unique(who[rows]):
        mine = np.flatnonzero(rows & (who == interviewer))
        copies = mine[rng.random(len(mine)) < 0.7]
        originals = np.setdiff1d(mine, copies)
        if not len(originals) or not len(copies):
            continue
        source[copies] = originals[rng.integers(0, len(originals), len(copies))]
        copied[copies] = True
    data = data.iloc[source].reset_index(drop=True)
    changeable = [c for c in roles.substantive if c in data.columns]
    for row in np.flatnonzero(copied & (rng.random(len(data)) < 0.5)):
        if not changeable:
            break
        code = changeable[int(rng.integers(0, len(changeable)))]
        current = data.at[row, code]
        if pd.isna(current):
            continue
        var = form.variables[code]
        choices = [c for c in var.choice_names if c not in var.missing_names and c != current]
        if choices:
            data.at[row, code] = choices[int(rng.integers(0, len(choices)))]
    return data, copied


def _schedule(
    who: np.ndarray,
    kind_of_row: np.ndarray,
    n_interviewers: int,
    start: dt.date,
    timezone: str,
    rng: np.random.Generator,
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Start and end times (UTC) of every interview, and which rows got a falsifier's timing pattern.

    Each interviewer works their interviews in a random order, 4-7 a day on consecutive days, one after the
    other; the timing falsifiers change durations, gaps or the start of the day."""
    n = len(who)
    order = np.lexsort((rng.random(n), who))
    sorted_who = who[order]
    first = np.concatenate([[0], np.flatnonzero(np.diff(sorted_who)) + 1])
    counts = np.diff(np.concatenate([first, [n]]))
    rank = np.arange(n) - np.repeat(first, counts)
    per_day = rng.integers(4, 8, n_interviewers)[sorted_who]
    day = rank // per_day
    kind = kind_of_row[order]
    duration = 8 + rng.gamma(4.0, 3.0, n)
    gap = 12 + rng.exponential(25.0, n)
    timing = np.zeros(n, dtype=bool)
    fast = kind == "too_fast"
    duration[fast] = rng.uniform(2.5, 5.0, fast.sum())
    timing |= fast
    busy = kind == "high_throughput"
    duration[busy] = rng.uniform(9.0, 12.0, busy.sum())
    gap[busy] = rng.uniform(0.5, 3.0, busy.sum())
    day = np.where(busy, rank // 12, day)
    timing |= busy
    lapped = (kind == "overlap") & (rng.random(n) < 0.4)
    gap[lapped] = -rng.uniform(3.0, 10.0, lapped.sum())
    # minutes from the day's start: the cumulative sum of the previous (duration + gap) of the same day
    step = duration + gap
    group = sorted_who.astype(np.int64) * (n + 1) + day
    boundary = np.concatenate([[True], group[1:] != group[:-1]])
    timing[1:] |= lapped[:-1] & ~boundary[1:]  # the interview that starts before the lapped one ended
    cumulative = np.cumsum(step)
    before = np.concatenate([[0.0], cumulative[:-1]])
    day_base = np.maximum.accumulate(np.where(boundary, before, -np.inf))
    offset = before - day_base
    first_of_day = np.maximum.accumulate(np.where(boundary, np.arange(n), 0))
    day_start = (9 * 60 + rng.uniform(0, 120, n))[first_of_day]
    late = kind == "outside_hours"
    late_day = late & ((day % 2) == 0)
    day_start = np.where(late_day, 21 * 60 + 15, day_start)
    timing |= late_day
    local_minutes = day * 24 * 60 + day_start + offset
    origin = pd.Timestamp(start)
    local_start = origin + pd.to_timedelta(local_minutes, unit="min")
    local_end = local_start + pd.to_timedelta(duration, unit="min")
    # wall-clock times in the field's time zone (a clock change shifts a nonexistent time forward)
    fold = np.zeros(n, dtype=bool)
    started_sorted = local_start.tz_localize(
        timezone, ambiguous=fold, nonexistent="shift_forward"
    ).tz_convert("UTC")
    ended_sorted = local_end.tz_localize(timezone, ambiguous=fold, nonexistent="shift_forward").tz_convert(
        "UTC"
    )
    started = np.empty(n, dtype="datetime64[ns]")
    ended = np.empty(n, dtype="datetime64[ns]")
    started[order] = started_sorted.tz_localize(None).to_numpy()
    ended[order] = ended_sorted.tz_localize(None).to_numpy()
    applied = np.zeros(n, dtype=bool)
    applied[order] = timing
    return _utc(started), _utc(ended), applied


def _utc(values: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(values).tz_localize("UTC")).astype("datetime64[us, UTC]")


def sequential_times(
    started: pd.Series,
    submitted: pd.Series,
    interviewer: pd.Series,
    rng: np.random.Generator,
    *,
    first_start: dt.time = dt.time(9, 0),
    spread_minutes: float = 120.0,
) -> tuple[pd.Series, pd.Series]:
    """New start and end times with which one interviewer's interviews of a day follow one another, as in
    real fieldwork: each interview keeps its day and its duration, the day starts at ``first_start`` plus up
    to ``spread_minutes``, and 12 minutes or more (12 + Exp(15)) pass between two interviews. The time zone
    is kept (naive stays naive). The demo draws its interviews one by one, which would otherwise overlap."""
    begin = pd.Series(pd.to_datetime(started)).reset_index(drop=True)
    end = pd.Series(pd.to_datetime(submitted)).reset_index(drop=True)
    zone = begin.dt.tz
    if zone is not None:
        begin, end = begin.dt.tz_convert(None), end.dt.tz_convert(None)
    n = len(begin)
    minutes = ((end - begin) / pd.Timedelta(minutes=1)).to_numpy(dtype=float)
    day = begin.dt.normalize().to_numpy()
    who = pd.factorize(pd.Series(interviewer).reset_index(drop=True))[0]
    order = np.lexsort((begin.to_numpy(), day, who))
    day_sorted, who_sorted = day[order], who[order]
    boundary = np.ones(n, dtype=bool)
    boundary[1:] = (who_sorted[1:] != who_sorted[:-1]) | (day_sorted[1:] != day_sorted[:-1])
    step = minutes[order] + 12 + rng.exponential(15.0, n)
    before = np.cumsum(step) - step
    first = np.maximum.accumulate(np.where(boundary, np.arange(n), 0))
    before -= before[first]  # minutes since the day's first interview began
    opening = rng.uniform(0, spread_minutes, n)[first]
    since_midnight = first_start.hour * 60 + first_start.minute + opening + before
    new_begin = np.empty(n, dtype="datetime64[ns]")
    new_begin[order] = day_sorted.astype("datetime64[ns]") + (since_midnight * 60e9).astype("timedelta64[ns]")
    result_begin = pd.Series(new_begin, index=pd.Series(started).index).dt.round("s")  # whole seconds
    result_end = (result_begin + pd.to_timedelta(minutes, unit="m")).dt.round("s")
    if zone is not None:
        result_begin, result_end = result_begin.dt.tz_localize("UTC").dt.tz_convert(zone), result_end.dt.tz_localize("UTC").dt.tz_convert(zone)  # fmt: skip
    return result_begin, result_end
