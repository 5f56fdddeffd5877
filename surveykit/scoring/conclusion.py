"""Qualified conclusions: a short publishable text per institution and period, in Russian and English.

The text is built deterministically from templates (no language model) and the figures of a
:class:`~surveykit.scoring.rating.Rating`: the total with its interval and place, the criteria, strengths
(flagged "good practice") and weaknesses ("needs improvement", with the counts behind them), the checklist
findings named in words (website and stand items, remote channels, comfort and accessibility conditions),
and the warnings a reader must know (sample below the minimum, a checklist not done, empty denominators).
Item names come from the profile's ``labels``, else from the questionnaire's question labels when one is given.
Counts are not printed for cells smaller than ``min_cell_size`` (the figure itself is published).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from surveykit.questionnaire.model import Questionnaire

if TYPE_CHECKING:
    from surveykit.scoring.rating import Rating

__all__ = ["TEMPLATES", "conclusion_text", "conclusions", "format_number"]

#: every sentence of a conclusion, per language; fields are filled with formatted numbers and names
TEMPLATES: dict[str, dict[str, str]] = {
    "ru": {
        "header": "{name}, {period}.",
        "score": "Итоговый показатель независимой оценки качества — {S} балла из {max} "
        "(доверительный интервал {level} %: {lo}–{hi}).",
        "score_incomplete": "Итоговый показатель (предварительный, рассчитан не по всем источникам) — {S} балла из {max}.",
        "rank": "Место в рейтинге: {rank} из {of}.",
        "rank_shared": "Место в рейтинге: {rank} из {of} (разделено с другой организацией).",
        "not_distinct": "Разница с организацией на следующем месте статистически не значима.",
        "not_ranked": "Организация не включена в рейтинг: {reason}.",
        "not_rated": "Оценка не проведена: в периоде нет ни одной анкеты получателей услуг.",
        "band": "Уровень: {band}.",
        "change": "По сравнению с {previous} годом итоговый показатель {direction} на {delta} балла.",
        "change_same": "По сравнению с {previous} годом итоговый показатель не изменился.",
        "up": "вырос",
        "down": "снизился",
        "respondents": "Опрошено получателей услуг: {n}.",
        "sample_low": "Это меньше рекомендуемого минимума ({minimum}); результаты следует толковать осторожно.",
        "criteria": "Значения критериев: {items}.",
        "strengths": "Сильные стороны: {items}.",
        "weaknesses": "Требуют улучшения (ниже порога): {items}.",
        "no_weaknesses": "Показателей ниже порога нет.",
        "counts_respondents": "{num} из {den} ответивших",
        "counts_items": "{num} из {den}",
        "counts_cases": "{num} из {den}",
        "findings_intro": "По результатам проверки сайта, информационного стенда и помещений:",
        "checklist": "{indicator} ({value}): {findings}.",
        "channel": "{channel} — {findings}",
        "missing_source": "Не проведено: {what}; показатели {indicators} не рассчитаны.",
        "empty": "Показатель {indicator} не рассчитан: {reason}.",
        "and_more": "и ещё {n}",
    },
    "en": {
        "header": "{name}, {period}.",
        "score": "Total score of the independent assessment: {S} out of {max} ({level}% confidence interval {lo}–{hi}).",
        "score_incomplete": "Total score (provisional, not all sources available): {S} out of {max}.",
        "rank": "Place in the rating: {rank} of {of}.",
        "rank_shared": "Place in the rating: {rank} of {of} (shared with another organisation).",
        "not_distinct": "The difference from the organisation in the next place is not statistically significant.",
        "not_ranked": "The organisation is not ranked: {reason}.",
        "not_rated": "Not rated: no recipient interviews in this period.",
        "band": "Level: {band}.",
        "change": "Compared with {previous}, the total score {direction} by {delta} points.",
        "change_same": "The total score is unchanged since {previous}.",
        "up": "rose",
        "down": "fell",
        "respondents": "Service recipients interviewed: {n}.",
        "sample_low": "This is below the recommended minimum ({minimum}); interpret the results with care.",
        "criteria": "Criteria: {items}.",
        "strengths": "Strengths: {items}.",
        "weaknesses": "Needs improvement (below the threshold): {items}.",
        "no_weaknesses": "No indicator is below the threshold.",
        "counts_respondents": "{num} of {den} who answered",
        "counts_items": "{num} of {den}",
        "counts_cases": "{num} of {den}",
        "findings_intro": "The audit of the website, the information stand and the premises found:",
        "checklist": "{indicator} ({value}): {findings}.",
        "channel": "{channel}: {findings}",
        "missing_source": "Not carried out: {what}; indicators {indicators} were not computed.",
        "empty": "Indicator {indicator} was not computed: {reason}.",
        "and_more": "and {n} more",
    },
}

#: how a checklist answer that is not "present" is described (by the answer's choice name)
FINDING_PHRASES: dict[str, dict[str, str]] = {
    "ru": {
        "absent": "отсутствует",
        "no": "отсутствует",
        "not_met": "не выполнено",
        "not_functioning": "не работает",
        "outdated": "информация устарела",
        "partly": "выполнено частично",
        "not_recorded": "не отмечено при обследовании (считается отсутствующим)",
        "other": "не соответствует требованиям",
    },
    "en": {
        "absent": "missing",
        "no": "missing",
        "not_met": "not met",
        "not_functioning": "not working",
        "outdated": "out of date",
        "partly": "partly met",
        "not_recorded": "not recorded in the audit (counted as missing)",
        "other": "does not comply",
    },
}

_REASONS = {
    "ru": {
        "not ranked: incomplete": "не все источники данных получены (оценка неполная)",
        "not ranked: sample below minimum": "число опрошенных меньше минимума",
        "not rated: total not computable": "итоговый показатель не может быть рассчитан",
        "not ranked": "не выполнены условия включения в рейтинг",
    },
    "en": {
        "not ranked: incomplete": "not all data sources are in (the assessment is incomplete)",
        "not ranked: sample below minimum": "fewer respondents than the minimum",
        "not rated: total not computable": "the total cannot be computed",
        "not ranked": "the conditions for ranking are not met",
    },
}


def format_number(value: Any, language: str, decimals: int = 2) -> str:
    """``87.45`` in English, ``87,45`` in Russian; integers without decimals; ``—`` for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "—"
    number = float(value)
    text = f"{number:.{decimals}f}" if decimals else f"{int(round(number))}"
    return text.replace(".", ",") if language == "ru" else text


def _count(value: Any) -> str:
    return str(int(value)) if value == value and value is not None else "—"


def _quote(text: str, language: str) -> str:
    return f"«{text}»" if language == "ru" else f"‘{text}’"


def _label_lookup(profile: Any, questionnaires: Mapping[str, Questionnaire], language: str) -> Any:
    """Item name: the profile's ``labels`` (short names written for conclusions), else the questionnaire's
    label of the question, else the code."""
    texts: dict[str, str] = {}
    for questionnaire in questionnaires.values():
        for question in questionnaire.questions():
            text = questionnaire.text(question.label, language)
            if text:
                texts[question.code] = text

    def label(code: str) -> str:
        own = profile.label(code, language)
        return own if own != code else texts.get(code, code)

    return label


def conclusion_text(
    rating: Rating,
    institution_id: str,
    period: str,
    language: str = "ru",
    *,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
) -> str:
    """The conclusion of one institution and period."""
    frame = conclusions(rating, languages=[language], questionnaires=questionnaires)
    hit = frame[(frame["institution_id"] == str(institution_id)) & (frame["period"] == str(period))]
    if hit.empty:
        raise KeyError(f"{institution_id} {period}")
    return str(hit.iloc[0][f"text_{language}"])


def conclusions(
    rating: Rating,
    *,
    languages: Sequence[str] = ("ru", "en"),
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
    max_listed: int = 6,
) -> pd.DataFrame:
    """One row per institution and period: ``institution_id``, ``period``, ``name`` and ``text_<lang>``."""
    from surveykit.scoring.profile import _by_id

    qmap = _by_id(questionnaires)
    table = rating.table
    keys = ["institution_id", "period"]
    tidy = {
        (str(a), str(b)): part for (a, b), part in rating.indicators.groupby(keys, sort=False, observed=True)
    }
    findings = {key: part for key, part in rating.findings.groupby(keys, sort=False)}
    warnings = (
        {key: part for key, part in rating.warnings.groupby(keys, sort=False)} if len(rating.warnings) else {}
    )
    rows = []
    for _, row in table.iterrows():  # one row per institution and period, not per interview
        key = (row["institution_id"], row["period"])
        out = {"institution_id": row["institution_id"], "period": row["period"], "name": _name(row)}
        for language in languages:
            writer = _Writer(rating, language, _label_lookup(rating.profile, qmap, language), max_listed)
            out[f"text_{language}"] = writer.write(
                row, tidy.get(key, pd.DataFrame()), findings.get(key, pd.DataFrame()), warnings.get(key)
            )
        rows.append(out)
    return pd.DataFrame(
        rows, columns=["institution_id", "period", "name", *[f"text_{lang}" for lang in languages]]
    )


def _name(row: pd.Series, language: str | None = None) -> str:
    """The institution's name in ``language`` (column ``name_<lang>``), else ``name``, else its id."""
    for column in ([f"name_{language}"] if language else []) + ["name"]:
        name = row.get(column)
        if isinstance(name, str) and name:
            return name
    return str(row["institution_id"])


class _Writer:
    def __init__(self, rating: Rating, language: str, label: Any, max_listed: int) -> None:
        self.rating = rating
        self.p = rating.profile
        self.lang = language
        self.t = TEMPLATES.get(language, TEMPLATES["en"])
        self.phrases = FINDING_PHRASES.get(language, FINDING_PHRASES["en"])
        self.label = label
        self.max_listed = max_listed
        self.dec = self.p.rounding.decimals

    def num(self, value: Any) -> str:
        return format_number(value, self.lang, self.dec)

    def measure_name(self, measure: pd.Series) -> str:
        name = measure.get(f"name_{self.lang}") or measure.get("name_en") or ""
        return f"{measure['id']} {_quote(str(name), self.lang)}" if name else str(measure["id"])

    def listed(self, parts: list[str]) -> str:
        if len(parts) > self.max_listed:
            rest = len(parts) - self.max_listed
            parts = [*parts[: self.max_listed], self.t["and_more"].format(n=rest)]
        return "; ".join(parts)

    def counts(self, measure: pd.Series) -> str:
        if measure.get("small_cell") or pd.isna(measure["den"]) or measure["den"] <= 0:
            return ""
        template = self.t.get(f"counts_{measure['unit']}", self.t["counts_items"])
        return " (" + template.format(num=_count(measure["num"]), den=_count(measure["den"])) + ")"

    def write(
        self, row: pd.Series, tidy: pd.DataFrame, findings: pd.DataFrame, warnings: pd.DataFrame | None
    ) -> str:
        t, p = self.t, self.p
        parts = [t["header"].format(name=_name(row, self.lang), period=row["period"])]
        status = str(row["status"])
        if status == "not rated: no interviews":
            parts.append(t["not_rated"])
            parts.extend(self.checklists(findings, tidy))
            return " ".join(parts)
        maximum = self.num(p.max_total).replace(",00", "").replace(".00", "")
        if row["complete"]:
            parts.append(
                t["score"].format(
                    S=self.num(row["S"]),
                    max=maximum,
                    lo=self.num(row["S_lo"]),
                    hi=self.num(row["S_hi"]),
                    level=format_number(p.uncertainty.confidence * 100, self.lang, 0),
                )
            )
        elif row["S"] == row["S"]:
            parts.append(t["score_incomplete"].format(S=self.num(row["S"]), max=maximum))
        if row["rank"] is not pd.NA and row["rank"] == row["rank"]:
            shared = "shared" in str(row.get("rank_note", ""))
            parts.append(
                t["rank_shared" if shared else "rank"].format(rank=int(row["rank"]), of=int(row["rank_of"]))
            )
            distinct = row.get("distinct_from_next")
            if distinct is not None and not pd.isna(distinct) and not bool(distinct):
                parts.append(t["not_distinct"])
        else:
            reason = _REASONS.get(self.lang, _REASONS["en"]).get(status, status)
            parts.append(t["not_ranked"].format(reason=reason))
        band = row.get(f"band_{self.lang}")
        if isinstance(band, str) and band:
            parts.append(t["band"].format(band=band))
        change = row.get("change_S")
        if change is not None and change == change and isinstance(row.get("previous_period"), str):
            if change == 0:
                parts.append(t["change_same"].format(previous=row["previous_period"]))
            else:
                parts.append(
                    t["change"].format(
                        previous=row["previous_period"],
                        direction=t["up"] if change > 0 else t["down"],
                        delta=self.num(abs(change)),
                    )
                )
        parts.append(t["respondents"].format(n=int(row["n_respondents"])))
        if not row["sample_ok"]:
            parts.append(t["sample_low"].format(minimum=int(row["n_required"])))
        criteria = tidy[tidy["level"] == "criterion"] if len(tidy) else tidy
        if len(criteria):
            items = [f"{self.measure_name(c)} — {self.num(c['value'])}" for _, c in criteria.iterrows()]
            parts.append(t["criteria"].format(items="; ".join(items)))
        measures = tidy[tidy["level"].isin(["criterion", "indicator"])] if len(tidy) else tidy
        if len(measures):
            # criteria first, then indicators; strengths from the highest value, weaknesses from the lowest
            measures = measures.assign(_indicator=(measures["level"] == "indicator").to_numpy())
            good = measures[measures["flag"] == "good_practice"].sort_values(
                ["_indicator", "value"], ascending=[True, False], kind="stable"
            )
            weak = measures[measures["flag"] == "needs_improvement"].sort_values(
                ["_indicator", "value"], kind="stable"
            )
            if len(good):
                parts.append(
                    t["strengths"].format(
                        items=self.listed(
                            [f"{self.measure_name(m)} — {self.num(m['value'])}" for _, m in good.iterrows()]
                        )
                    )
                )
            if len(weak):
                parts.append(
                    t["weaknesses"].format(
                        items=self.listed(
                            [
                                f"{self.measure_name(m)} — {self.num(m['value'])}{self.counts(m)}"
                                for _, m in weak.iterrows()
                            ]
                        )
                    )
                )
            else:
                parts.append(t["no_weaknesses"])
        parts.extend(self.checklists(findings, tidy))
        parts.extend(self.notes(tidy))
        return " ".join(parts)

    def checklists(self, findings: pd.DataFrame, tidy: pd.DataFrame) -> list[str]:
        """One sentence per checklist indicator with required items not present, items named in words."""
        if findings is None or not len(findings):
            return []
        out = []
        relevant = findings[findings["required"] & (findings["status"] != "not_applicable")]
        values = tidy.set_index("id")["value"] if len(tidy) else pd.Series(dtype=float)
        names = tidy.set_index("id", drop=False) if len(tidy) else None
        for indicator_id, part in relevant.groupby("indicator", sort=False):
            chunks = []
            for channel, items in part.groupby("channel", sort=False):
                text = self.describe(items)
                if channel:
                    label = self.channel_label(indicator_id, channel)
                    text = self.t["channel"].format(channel=label, findings=text)
                chunks.append(text)
            name = (
                self.measure_name(names.loc[indicator_id])
                if names is not None and indicator_id in names.index
                else indicator_id
            )
            value = self.num(values.get(indicator_id, np.nan))
            out.append(self.t["checklist"].format(indicator=name, value=value, findings="; ".join(chunks)))
        return [self.t["findings_intro"], *out] if out else out

    def channel_label(self, indicator_id: str, channel: str) -> str:
        spec = self.p.indicator(indicator_id)
        for ch in getattr(spec, "channels", []) or getattr(getattr(spec, "of", None), "channels", []) or []:
            if ch.name == channel:
                return self.p.text(ch.label, self.lang) or channel
        return channel

    def describe(self, items: pd.DataFrame) -> str:
        """``missing: a, b; out of date: c`` (grouped by what the audit found)."""
        groups: dict[str, list[str]] = {}
        for _, item in items.iterrows():
            answer = item["answer"] if isinstance(item["answer"], str) else None
            kind = "not_recorded" if item["status"] == "not_recorded" else (answer or item["status"])
            phrase = self.phrases.get(kind, self.phrases["other"])
            groups.setdefault(phrase, []).append(_quote(self.label(item["item"]), self.lang))
        return "; ".join(f"{phrase}: {', '.join(names)}" for phrase, names in groups.items())

    def notes(self, tidy: pd.DataFrame) -> list[str]:
        """Indicators left out: a source not done, an empty denominator."""
        if not len(tidy):
            return []
        out = []
        indicators = tidy[tidy["level"] == "indicator"]
        missing = indicators[indicators["status"] == "source_missing"]
        if len(missing):
            ids = ", ".join(missing["id"])
            sources = sorted({self.p.indicator(i).source or "" for i in missing["id"]})
            what = ", ".join(
                self.p.text(self.p.sources[s].label, self.lang) or s for s in sources if s in self.p.sources
            )
            out.append(self.t["missing_source"].format(what=what, indicators=ids))
        for _, m in indicators[indicators["status"] == "empty_denominator"].iterrows():
            reason = "нет ответивших" if self.lang == "ru" else "nobody answered"
            out.append(self.t["empty"].format(indicator=self.measure_name(m), reason=reason))
        return out
