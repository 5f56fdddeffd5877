"""Item statistics for the trainer: which bank items work, which need review.

Input: a response matrix, trainees (rows) × items (columns), holding points earned; ``NaN`` where the item
was not in the trainee's exam (draws differ, so the matrix is sparse). Scores are first put on a 0..1
scale per item (``x = points / max_points``). For each item:

* ``n`` — how many trainees answered it;
* ``difficulty`` — the mean of ``x`` (the proportion correct; partial credit counts as a fraction);
* ``item_rest_r`` — the corrected point-biserial: Pearson's r between ``x`` and the trainee's *rest*
  score, ``(total earned - this item's points) / (total possible - this item's max)`` over the items the
  trainee answered. With a complete matrix this is the classical item-rest correlation;
* ``upper_lower_d`` — Kelley's discrimination index: the mean ``x`` in the upper group minus the lower
  group, the groups being the top and bottom ``group_fraction`` (27 %) of the trainees who answered the
  item, ranked by their total score (share of points possible) from the highest down, ties in row order:
  the upper group is the first ``g`` of that ranking, the lower group the last ``g``;
* ``review`` and ``reasons`` — flags from ``rules.yaml`` ``item_review``, raised only with at least
  ``min_responses`` answers: ``too_easy`` (difficulty > max_difficulty), ``too_hard`` (difficulty <
  min_difficulty), ``low_discrimination`` (item_rest_r < min_discrimination; the default 0 flags items
  that strong trainees miss more often than weak ones: a wrong key or an ambiguous stem).

Everything is computed with numpy over the whole matrix at once, except the ranking for the upper and
lower groups, which loops over items (not trainees).

*The review list* (:func:`review_list`) joins, per item, what the statistics flag, how the options were
chosen in real attempts (:func:`option_counts`: a harmful option chosen by more than
``item_review.max_harmful_share`` of the trainees who saw the item; a wrong option chosen by fewer than
``item_review.min_option_share``, i.e. a distractor that does not work) and what the item-bank linter says
about the item, with a suggested fix in Russian and English. The trainer app and ``surveykit training
review`` show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from surveykit.errors import ErrorCode, Location, Report, Severity, TrainingError
from surveykit.training.course import Course, ItemReviewRules, Rules
from surveykit.training.grading import AttemptResult

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["REVIEW_COLUMNS", "item_statistics", "option_counts", "response_matrix", "review_list"]

COLUMNS = ["n", "difficulty", "item_rest_r", "upper_lower_d", "review", "reasons"]


def response_matrix(results: Iterable[AttemptResult]) -> tuple[pd.DataFrame, pd.Series]:
    """Points matrix (one row per attempt, ``NaN`` where an item was not drawn) and each item's maximum."""
    import pandas as pd

    rows: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    for index, result in enumerate(results):
        key = result.attempt_id or f"#{index + 1}"
        rows[key] = {r.item_id: r.points for r in result.items}
        for r in result.items:
            maxima[r.item_id] = r.max_points
    matrix = pd.DataFrame.from_dict(rows, orient="index", dtype=float)
    columns = sorted(maxima)
    return matrix.reindex(columns=columns), pd.Series(maxima, dtype=float).reindex(columns)


def item_statistics(
    points: pd.DataFrame,
    rules: Rules | ItemReviewRules,
    max_points: Mapping[str, float] | pd.Series | None = None,
) -> pd.DataFrame:
    """One row per item (the columns of ``points``): n, difficulty, item_rest_r, upper_lower_d, review, reasons.

    ``max_points`` defaults to 1 per item.
    """
    import pandas as pd

    review_rules = rules.item_review if isinstance(rules, Rules) else rules
    items = list(points.columns)
    if max_points is None:
        maxima = np.ones(len(items))
    else:
        series = pd.Series(max_points, dtype=float).reindex(items)
        missing = [str(i) for i, v in series.items() if not np.isfinite(v) or v <= 0]
        if missing:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field="max_points"),
                field="max_points",
                detail=f"no positive maximum for item(s) {', '.join(missing)}",
                fix="Give every column of the matrix its maximum points.",
            )
        maxima = series.to_numpy()
    raw = points.to_numpy(dtype=float)
    answered = ~np.isnan(raw)
    x = raw / maxima  # 0..1 per item, NaN where not answered

    n = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        difficulty = np.where(n > 0, np.nansum(x, axis=0) / np.maximum(n, 1), np.nan)

        earned = np.nansum(raw, axis=1, keepdims=True)
        possible = (answered * maxima).sum(axis=1, keepdims=True)
        rest = np.where(answered, (earned - np.nan_to_num(raw)) / (possible - maxima), np.nan)
        valid = answered & np.isfinite(rest)
        nv = valid.sum(axis=0)
        xv = np.where(valid, x, 0.0)
        rv = np.where(valid, rest, 0.0)
        mean_x = xv.sum(axis=0) / np.maximum(nv, 1)
        mean_r = rv.sum(axis=0) / np.maximum(nv, 1)
        dx = np.where(valid, x - mean_x, 0.0)
        dr = np.where(valid, rest - mean_r, 0.0)
        cov = (dx * dr).sum(axis=0)
        var_x = (dx * dx).sum(axis=0)
        var_r = (dr * dr).sum(axis=0)
        denominator = np.sqrt(var_x * var_r)
        item_rest = np.where((nv >= 2) & (denominator > 1e-12), cov / denominator, np.nan)

        total = (earned / possible).ravel()
    upper_lower = np.full(len(items), np.nan)
    for j in range(len(items)):
        rows = np.flatnonzero(answered[:, j])
        if len(rows) < 2:
            continue
        group = max(1, int(review_rules.group_fraction * len(rows) + 0.5))
        order = rows[np.argsort(-total[rows], kind="stable")]
        upper, lower = order[:group], order[::-1][:group]
        upper_lower[j] = x[upper, j].mean() - x[lower, j].mean()

    reasons: list[str] = []
    for j in range(len(items)):
        flags: list[str] = []
        if n[j] >= review_rules.min_responses:
            if difficulty[j] > review_rules.max_difficulty:
                flags.append("too_easy")
            if difficulty[j] < review_rules.min_difficulty:
                flags.append("too_hard")
            if np.isfinite(item_rest[j]) and item_rest[j] < review_rules.min_discrimination:
                flags.append("low_discrimination")
        reasons.append("; ".join(flags))
    table = pd.DataFrame(
        {
            "n": n.astype(int),
            "difficulty": difficulty,
            "item_rest_r": item_rest,
            "upper_lower_d": upper_lower,
            "review": [bool(r) for r in reasons],
            "reasons": reasons,
        },
        index=pd.Index(items, name="item"),
    )
    return table[COLUMNS]


def option_counts(answered: Iterable[Mapping[str, object]], course: Course) -> dict[str, dict[str, int]]:
    """Item -> option id -> how many attempts chose it (choice items only); ``answered``: the answers of
    closed attempts (item id -> the answer), e.g. :meth:`ExamAttempt.answer_values`. Unknown items and
    options are ignored (the bank may have changed since)."""
    counts: dict[str, dict[str, int]] = {}
    for answers in answered:
        for item_id, value in answers.items():
            item = course.items_by_id.get(item_id)
            if item is None or item.answer_kind == "numeric" or value in (None, "", []):
                continue
            chosen = (
                [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
            )
            row = counts.setdefault(item_id, dict.fromkeys(item.option_ids, 0))
            for option_id in chosen:
                if option_id in row:
                    row[option_id] += 1
    return counts


#: the columns of :func:`review_list`
REVIEW_COLUMNS = [
    "module",
    "n",
    "difficulty",
    "item_rest_r",
    "flags",
    "reasons_en",
    "reasons_ru",
    "fix_en",
    "fix_ru",
]

_FLAG_TEXT = {
    "too_easy": (
        "answered correctly by {v} of trainees: tells little",
        "верно отвечают {v} обучающихся: вопрос мало что проверяет",
        "Make the distractors plausible (real interviewer errors), or drop the item.",
        "Сделайте неверные варианты правдоподобными (реальные ошибки интервьюеров) или уберите вопрос.",
    ),
    "too_hard": (
        "answered correctly by only {v} of trainees",
        "верно отвечают только {v} обучающихся",
        "Check the key, and whether the lesson teaches this.",
        "Проверьте ключ и то, объясняется ли это в уроке.",
    ),
    "low_discrimination": (
        "strong trainees miss it more often than weak ones (item-rest r = {v})",
        "сильные обучающиеся ошибаются в нём чаще слабых (корреляция с остальным тестом {v})",
        "Check the key and look for an ambiguous stem or a second defensible option.",
        "Проверьте ключ; поищите двусмысленность в вопросе или второй защитимый вариант.",
    ),
    "harmful_chosen": (
        "the harmful option {v} is chosen often",
        "часто выбирают недопустимый вариант {v}",
        "Teach this point again in the lesson; check that the option does not read as acceptable.",
        "Повторите это в уроке; проверьте, не выглядит ли вариант допустимым.",
    ),
    "dead_distractor": (
        "option(s) {v} are hardly ever chosen: they do not work as distractors",
        "варианты {v} почти никто не выбирает: они не работают как неверные ответы",
        "Replace them with plausible errors interviewers really make.",
        "Замените их правдоподобными ошибками, которые интервьюеры действительно делают.",
    ),
    "lint": (
        "item-writing flaw: {v}",
        "недостаток формулировки: {v}",
        "See `surveykit training lint` for the fix.",
        "Как исправить — см. `surveykit training lint`.",
    ),
}


def review_list(
    course: Course,
    stats: pd.DataFrame,
    counts: Mapping[str, Mapping[str, int]] | None = None,
    lint: Report | None = None,
) -> pd.DataFrame:
    """The items a trainer should look at, worst first: one row per item with at least one flag.

    ``stats``: :func:`item_statistics`; ``counts``: :func:`option_counts`; ``lint``: the linter's report
    (its item-level warnings are listed with the item). Option flags need ``min_responses`` answers too.
    """
    import pandas as pd

    rules = course.rules.item_review
    counts = counts or {}
    linted: dict[str, list[str]] = {}
    for problem in lint or ():
        item_id = problem.params.get("item")
        if item_id and problem.severity is Severity.WARNING:
            linted.setdefault(str(item_id), []).append(problem.code.code)
    rows: dict[str, dict[str, object]] = {}

    def flag(item_id: str, name: str, value: str) -> None:
        item = course.items_by_id.get(item_id)
        row = rows.setdefault(
            item_id,
            {
                "module": item.module if item else "",
                "n": int(stats.loc[item_id, "n"]) if item_id in stats.index else 0,
                "difficulty": float(stats.loc[item_id, "difficulty"]) if item_id in stats.index else np.nan,
                "item_rest_r": float(stats.loc[item_id, "item_rest_r"]) if item_id in stats.index else np.nan,
                "flags": [],
                "reasons_en": [],
                "reasons_ru": [],
                "fix_en": [],
                "fix_ru": [],
            },
        )
        en, ru, fix_en, fix_ru = _FLAG_TEXT[name]
        row["flags"].append(name)  # type: ignore[union-attr]
        row["reasons_en"].append(en.format(v=value))  # type: ignore[union-attr]
        row["reasons_ru"].append(ru.format(v=value))  # type: ignore[union-attr]
        for key, text in (("fix_en", fix_en), ("fix_ru", fix_ru)):
            if text not in row[key]:  # type: ignore[operator]
                row[key].append(text)  # type: ignore[union-attr]

    for item_id, row in stats.iterrows():
        for reason in filter(None, str(row["reasons"]).split("; ")):
            value = {
                "too_easy": f"{row['difficulty'] * 100:.0f} %",
                "too_hard": f"{row['difficulty'] * 100:.0f} %",
                "low_discrimination": f"{row['item_rest_r']:.2f}",
            }.get(reason, "")
            flag(str(item_id), reason, value)
    for item_id, by_option in counts.items():
        item = course.items_by_id.get(item_id)
        seen = int(stats.loc[item_id, "n"]) if item_id in stats.index else sum(by_option.values())
        if item is None or seen < rules.min_responses:
            continue
        harmful = [o for o in item.harmful_ids if by_option.get(o, 0) / seen > rules.max_harmful_share]
        if harmful:
            flag(
                item_id,
                "harmful_chosen",
                ", ".join(f"{o} ({by_option[o] / seen * 100:.0f} %)" for o in sorted(harmful)),
            )
        dead = [
            o
            for o in item.option_ids
            if o not in item.key_set and by_option.get(o, 0) / seen < rules.min_option_share
        ]
        if dead:
            flag(item_id, "dead_distractor", ", ".join(dead))
    for item_id, codes in linted.items():
        if item_id in course.items_by_id:
            flag(item_id, "lint", ", ".join(sorted(set(codes))))
    if not rows:
        return pd.DataFrame(columns=REVIEW_COLUMNS, index=pd.Index([], name="item"))
    frame = pd.DataFrame.from_dict(rows, orient="index")
    flags = frame["flags"].map(len)
    for column in ("flags", "reasons_en", "reasons_ru"):
        frame[column] = frame[column].map("; ".join)
    for column in ("fix_en", "fix_ru"):
        frame[column] = frame[column].map(" ".join)
    frame.index.name = "item"
    frame = (
        frame.assign(_flags=-flags).sort_values(["_flags", "module"], kind="stable").drop(columns="_flags")
    )
    return frame[REVIEW_COLUMNS]
