"""The item-bank linter: item-writing flaws a trainer should fix, found from the bank itself.

None of the tools the course is measured against (Kobo, LimeSurvey, Survey Solutions, nbgrader...) checks
an item bank, yet the flaws below are what makes a multiple-choice test reward test-wiseness instead of
knowledge (Haladyna, Downing & Rodriguez 2002, "A review of multiple-choice item-writing guidelines").
:func:`lint_bank` is a pure function from items to a :class:`~surveykit.errors.Report` of *warnings*, each
naming the item and the fix; the thresholds are configuration (``rules.yaml``, ``item_lint``, [P]).

Checks, for single-answer items (``single`` and ``scenario`` with ``select: single``) unless said:

* **keyed positions** (SK821): the share of keys at each position (A, B, C, D ...) against the share
  expected if keys were spread evenly (an item with *k* options adds 1/*k* to each of its *k*
  positions); a gap above ``max_position_share_gap`` names the items to move;
* **the length cue** (SK822, SK823): the score of always choosing the longest option (ties share the
  point), per language, against chance (the mean of 1/*k*) — and, since a bank "fixed" by lengthening
  every distractor just past the key teaches the opposite cue, of always choosing the second longest, the
  second shortest and the shortest; above chance + ``longest_option_margin`` is a warning. Items whose key
  is the longest option and ``max_key_length_ratio`` times the mean length of the others are named. The
  scores are always reported as information (SK829);
* **"all / none of the above"** options, in any item (SK824);
* **"all but one"** multi-select keys: every option but one (or every option) is right (SK825);
* **an answer shown in the item** (SK826): the stem asks for the largest / smallest and every option prints
  its value in brackets (the m0-01 flaw), or the stem repeats the keyed option word for word;
* **English words or codes inside Russian text** (SK827): Latin-letter words ("proxy", "Q1",
  "present/absent", "back-check") and words mixing Latin and Cyrillic letters, except the names in
  ``latin_allowed``;
* **a paraphrased question** (SK828): a quotation in a stem, scenario or option («...» in Russian, "..." in
  English; an ellipsis marks a cut) that is close to a question of a questionnaire
  (``paraphrase_similarity``, difflib ratio over a window of the question's words) without being a
  verbatim part of any question, choice or instruction text. "Close" is :func:`coverage`: the share of
  the quotation found in the question in order, in runs of 4 characters or more.

The linter runs on the shipped bank without warnings (a test); ``surveykit training lint`` prints it.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveykit.errors import ErrorCode, Location, Report, Severity, Translated
from surveykit.training.course import Course, ItemLintRules, QuizItem

__all__ = [
    "LANGUAGE_NAMES",
    "QuestionText",
    "item_locations",
    "key_positions",
    "length_strategy_scores",
    "lint_bank",
    "lint_course",
    "lint_path",
    "longest_option_score",
    "coverage",
    "questionnaire_texts",
]

#: how a language is named inside a message, per message language
LANGUAGE_NAMES = {
    "ru": Translated(en="Russian", ru="в русском тексте"),
    "en": Translated(en="English", ru="в английском тексте"),
}

_LETTERS = "ABCDEFGHIJ"

Locate = Callable[[QuizItem, tuple[str | int, ...]], Location]


def _single(items: Iterable[QuizItem]) -> list[QuizItem]:
    return [
        i for i in items if i.answer_kind == "single" and len(i.options) >= 2 and isinstance(i.answer, str)
    ]


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


def _norm(text: str) -> str:
    """Case-, quote- and punctuation-blind text for comparisons (ё = е)."""
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    text = re.sub(r"[^\w\s…]", " ", text)
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------------------
# measures (public: the tests and the docs quote them)
# --------------------------------------------------------------------------------------------------------


def key_positions(items: Iterable[QuizItem]) -> tuple[dict[int, int], dict[int, float]]:
    """Observed keys per position (0 = A) and the count expected if keys were spread evenly."""
    observed: dict[int, int] = {}
    expected: dict[int, float] = {}
    for item in _single(items):
        k = len(item.options)
        for p in range(k):
            expected[p] = expected.get(p, 0.0) + 1 / k
            observed.setdefault(p, 0)
        observed[item.option_ids.index(item.answer)] += 1
    return observed, expected


#: strategies of choosing by length: name -> position in the options sorted longest first (negative:
#: from the shortest end)
LENGTH_STRATEGIES: dict[str, int] = {"longest": 0, "second_longest": 1, "second_shortest": -2, "shortest": -1}
_STRATEGY_NAMES = {
    "longest": Translated(en="the longest", ru="самый длинный"),
    "second_longest": Translated(en="the second longest", ru="второй по длине"),
    "second_shortest": Translated(en="the second shortest", ru="второй с конца по длине"),
    "shortest": Translated(en="the shortest", ru="самый короткий"),
}


def length_strategy_scores(items: Iterable[QuizItem], language: str) -> tuple[dict[str, float], float]:
    """The score (share of single-answer items, 0..1) of always choosing the option at each length rank —
    the longest, the second longest, the second shortest, the shortest — in ``language``, and chance
    (the mean of 1/k). Options tied in length share the point."""
    single = _single(items)
    if not single:
        return dict.fromkeys(LENGTH_STRATEGIES, 0.0), 0.0
    scores = dict.fromkeys(LENGTH_STRATEGIES, 0.0)
    for item in single:
        lengths = _lengths(item, language)
        ordered = sorted(lengths.values(), reverse=True)
        for name, position in LENGTH_STRATEGIES.items():
            target = ordered[position]
            tied = [k for k, n in lengths.items() if n == target]
            if item.answer in tied:
                scores[name] += 1 / len(tied)
    chance = sum(1 / len(i.options) for i in single) / len(single)
    return {k: v / len(single) for k, v in scores.items()}, chance


def longest_option_score(items: Iterable[QuizItem], language: str) -> tuple[float, float]:
    """``(score, chance)`` of always choosing the longest option (ties share the point) on single-answer
    items, in ``language``; both are shares of the items, 0..1."""
    single = _single(items)
    if not single:
        return 0.0, 0.0
    score = 0.0
    for item in single:
        lengths = [len(o.text.get(language, "").strip()) for o in item.options]
        top = max(lengths)
        longest = [o.id for o, n in zip(item.options, lengths, strict=True) if n == top]
        if item.answer in longest:
            score += 1 / len(longest)
    chance = sum(1 / len(i.options) for i in single) / len(single)
    return score / len(single), chance


# --------------------------------------------------------------------------------------------------------
# questionnaire texts (for quotations)
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionText:
    """A text of a questionnaire in one language: a question (``kind='question'``), a choice label or an
    instruction, normalised for comparison."""

    questionnaire: str
    code: str
    kind: str
    language: str
    text: str
    norm: str


def questionnaire_texts(questionnaires: Iterable[Any]) -> list[QuestionText]:
    """Every question label, choice label and instruction of the questionnaires, in every language."""
    from surveykit.questionnaire.model import Question

    out: list[QuestionText] = []
    for q in questionnaires:
        lists = q.all_choice_lists()
        for item, _parents in q.walk():
            texts: list[tuple[str, dict[str, str]]] = []
            is_question = isinstance(item, Question) and item.type.value != "note"
            texts.append(("question" if is_question else "text", dict(item.label or {})))
            texts.append(("instruction", dict(getattr(item, "instruction", None) or {})))
            texts.append(("instruction", dict(getattr(item, "hint", None) or {})))
            if isinstance(item, Question) and item.choices and item.choices in lists:
                for choice in lists[item.choices]:
                    texts.append(("choice", dict(choice.label or {})))
            for kind, by_language in texts:
                for language, text in by_language.items():
                    if text and text.strip():
                        out.append(QuestionText(q.id, item.code, kind, language, text.strip(), _norm(text)))
    return out


_QUOTES = {"ru": ("«", "»"), "en": ("\u201c", "\u201d")}


def _quotations(text: str, language: str) -> list[str]:
    """Quoted fragments of a text, in any quotation marks a writer may use in either language: «...»
    (nesting respected), „...“, “...”, ‘...’ and straight "..." or '...' (12 characters or more, so that an
    apostrophe is no quotation) — and sentences that are not quoted but put a question to the respondent
    (a sentence ending with '?': 'Вы спрашиваете: Имеете ли Вы ...?')."""
    found: list[str] = []
    depth, start = 0, 0
    for pos, ch in enumerate(text):
        if ch == "«":
            if depth == 0:
                start = pos + 1
            depth += 1
        elif ch == "»" and depth:
            depth -= 1
            if depth == 0:
                found.append(text[start:pos])
    found += re.findall(r"„([^“”„]+)[“”]", text)
    found += re.findall(r"(?<!„)\u201c([^\u201d\u201c]+)\u201d", text)
    found += re.findall(r"\u2018([^\u2019]{12,}?)\u2019(?!\w)", text)
    found += re.findall(r'"([^"]+)"', text)
    found += re.findall(r"(?<![\w])'([^']{12,}?)'(?![\w])", text)
    # an unquoted question put to the respondent after a colon or a dash
    unquoted = re.sub(
        r"«[^»]*»|„[^“”]*[“”]|\u201c[^\u201d]*\u201d|\u2018[^\u2019]*\u2019|\"[^\"]*\"", " ", text
    )
    found += [_Unquoted(q) for q in re.findall(r"(?:^|[:—–.!?]\s*)([^:—–?!.]*\?)", unquoted)]
    return found


class _Unquoted(str):
    """A question found in a text without quotation marks (only the character measure applies to it: a
    stem's own question to the trainee shares words with the questionnaire without quoting it)."""


def _parts(fragment: str) -> list[str]:
    """A quotation cut with an ellipsis: its parts, normalised, in order."""
    return [p for p in (_norm(x) for x in re.split(r"…|\.\.\.", fragment)) if p]


def _verbatim(parts: Sequence[str], texts: Iterable[QuestionText]) -> bool:
    for t in texts:
        pos = 0
        for part in parts:
            found = t.norm.find(part, pos)
            if found < 0:
                break
            pos = found + len(part)
        else:
            return True
    return False


#: a quoted question whose word stems are at least this share of one questionnaire question's is that
#: question in other words (measured with :func:`stem_overlap`)
_QUESTION_STEMS = 0.66


def _one_question(quoted: str) -> bool:
    """A quotation that is one question (one '?', at the end): several sentences are a scene, not a quote."""
    text = quoted.strip()
    return text.endswith("?") and text.count("?") == 1 and not re.search(r"[.!]\s", text)


_STOP_WORDS = (
    # words of 4+ letters that carry no content of a question (question words, pronouns, auxiliaries)
    "такое такой этот если есть было была будет можно нужно какой какие когда сейчас вообще пожал скажи "
    "what which that this these your have with from they them there would could should does were been about "
    "think please tell"
)
_STOP_STEMS = frozenset(_STOP_WORDS.split())


def _stems(text: str) -> set[str]:
    """The content word stems of a normalised text: the first 5 letters of every word of 4 letters or more
    (enough to match Russian and English inflections: «группа» / «группу», "recommend" / "recommended"),
    without question words and pronouns."""
    return {w[:5] for w in text.split() if len(w) >= 4} - _STOP_STEMS


def stem_overlap(fragment: str, text: str) -> float:
    """Share of the fragment's content stems found in the text (0 when the fragment has fewer than 3)."""
    mine = _stems(_norm(fragment))
    if len(mine) < 3:
        return 0.0
    return len(mine & _stems(_norm(text))) / len(mine)


def coverage(fragment: str, text: str) -> float:
    """Share of the (normalised) fragment found in the (normalised) text, in order, counting only matching
    runs of at least 4 characters: 1.0 for a verbatim part, high for a cut or reworded quotation."""
    a, b = _norm(fragment), _norm(text)
    if not a:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks() if block.size >= 4) / len(a)


# --------------------------------------------------------------------------------------------------------
# the linter
# --------------------------------------------------------------------------------------------------------

# an option that refers to the other options instead of saying something itself: "all / none of the above",
# "both", "A and B", "all except the last" (Haladyna et al. 2002, guidelines 24-25), in each language's
# usual wordings. Matched on the normalised text (lower case, ё = е, punctuation as spaces).
_QUANTIFIER = {
    "ru": r"(?:все|всех|всем|ни один|ни одна|ни одно|ни одного|ни одной|ничего|ничто|оба|обе|обоих|любой|любые|каждый)",
    "en": r"(?:all|none|both|neither|each|any|either|every)",
}
_ALL_NONE = {
    "ru": re.compile(
        # a quantifier near a word naming the listed options ("всё вышеперечисленное", "все из перечисленных",
        # "ни один из приведённых", "все вышеуказанные действия")
        rf"\b{_QUANTIFIER['ru']}\b(?:\s+\w+){{0,3}}?\s+(?:вы(?:ше)?)?(?:перечисл|указан|названн|приведен|упомянут)\w*"
        r"(?!\w)(?!\s+(?:в|во|на|по|из|у|для|при)\s)"
        r"|\b(?:вышеперечисл|вышеуказан|вышеназван|вышеприведен|вышеизложен|вышесказан)\w*"
        # an option that is only a quantifier, with at most a noun and a verdict: «Все варианты», «Оба верны»,
        # «Ни один из них», «Всё сразу»
        rf"|^{_QUANTIFIER['ru']}(?:\s+(?:из\s+)?(?:них|этих|вариант\w*|ответ\w*|сразу|вместе))?"
        r"(?:\s+(?:не\s+)?(?:верн|правильн|неверн|подход)\w*)?$"
        # a quantifier with "options / answers" and a verdict ("все ответы верны", "верны все варианты",
        # "ни один вариант не подходит", "оба варианта правильные", "все варианты, кроме ...")
        r"|\b(?:все|всех|ни один|ни одна|ни одного|ничего|оба|обе)\b(?:\s+\w+){0,2}?\s+(?:вариант|ответ)\w*(?:\s+\w+){0,2}?\s+"
        r"(?:не\s+)?(?:верн|неверн|правильн|неправильн|подход|годит|кроме|выше)\w*"
        rf"|\b(?:верн|правильн|неверн|неправильн)\w*\s+{_QUANTIFIER['ru']}\s+(?:вариант|ответ)\w*"
        r"|\bнет\s+(?:ни\s+одного\s+)?(?:правильн|верн|подходящ)\w*\s+(?:вариант|ответ)\w*"
        r"|\b(?:правильн|верн|подходящ)\w*\s+(?:вариант|ответ)\w*\s+нет\b"
        r"|\b(?:и|ни)\s+то\s+(?:и|ни)\s+друго[ея]\b"
        # options named by their letters or numbers: "варианты 1 и 2", "ответы а и в верны"
        r"|\b(?:вариант|ответ)\w*\s+(?:[а-еa-f]|\d)\s*(?:и|или)\s*(?:[а-еa-f]|\d)\b"
        r"|\b(?:[а-еa-f]|\d)\s*(?:и|или)\s*(?:[а-еa-f]|\d)\s+(?:верн|правильн|неверн)\w*"
    ),
    "en": re.compile(
        rf"\b{_QUANTIFIER['en']}\b(?:\s+of)?(?:\s+the)?(?:\s+\w+){{0,2}}?\s+(?:above|listed|preceding|foregoing|aforementioned)\b"
        r"|\b(?:above|aforementioned|foregoing)\s+(?:options|answers|choices|statements|actions)\b"
        rf"|\b{_QUANTIFIER['en']}\s+of\s+(?:them|these|those)\s*(?:$|(?:are|is)\s+(?:correct|right|true|wrong))"
        rf"|\b{_QUANTIFIER['en']}\s+of\s+the\s+(?:options|answers|choices|statements)\b"
        rf"|\b{_QUANTIFIER['en']}\s+(?:the\s+)?(?:options|answers|choices|statements)\s+(?:are|is)\b"
        r"|\bnone\s+(?:is|are)\s+(?:correct|right|true)\b"
        # an option that is only a quantifier, with at most a noun and a verdict: "All are correct", "Both",
        # "Every option", "None of them is right"
        rf"|^{_QUANTIFIER['en']}(?:\s+(?:of\s+)?(?:them|these|those|options?|answers?|choices?))?"
        r"(?:\s+(?:is|are)\s+(?:correct|right|true|wrong))?$"
        r"|\bno\s+(?:correct|right|true)\s+(?:answer|option)\b"
        r"|\ball\s+(?:except|but)\s+(?:the\s+|one|\w\b)"
        r"|\b(?:options?|answers?|choices?)\s+(?:[a-f]|\d)\s*(?:and|or)\s*(?:[a-f]|\d)\b"
        r"|\bboth\s+(?:[a-f]|\d)\s+and\s+(?:[a-f]|\d)\b"
        r"|\b(?:[a-f]|\d)\s+(?:and|or)\s+(?:[a-f]|\d)\s+(?:are|is)\s+(?:correct|right|true)\b"
    ),
}
_QUOTED = re.compile(r"«[^»]*»|„[^“”]*[“”]|\u201c[^\u201d]*\u201d|\"[^\"]*\"")
#: options named by capital letters in the raw text ("А и Б", "A and C"): the case tells them from words
_LETTER_PAIR = re.compile(r"(?<!\w)[A-FА-Е]\)?\s*(?:,|и|или|and|or|&)\s*[A-FА-Е]\)?(?!\w)")


def refers_to_options(text: str, language: str) -> bool:
    """Whether an option's text points at the other options ("all of the above", "none of these", "both",
    "A and B", "all except the last") instead of saying something itself."""
    text = _QUOTED.sub(" ", text)  # speech quoted in an option («Верных ответов нет…») is not about options
    pattern = _ALL_NONE.get(language)
    if pattern is not None and pattern.search(_norm(text)):
        return True
    return bool(_LETTER_PAIR.search(text))


_SUPERLATIVE = {
    "en": re.compile(r"\b(largest|highest|greatest|smallest|lowest|least|most|maximum|minimum|biggest)\b"),
    "ru": re.compile(r"наибольш|наименьш|\bсамы[йеоа]\w*|больше всего|меньше всего|максимальн|минимальн"),
}
#: a value printed in an option: in brackets ("(0,4)", "[40 %]"), after a dash, colon or equals sign
#: ("— 0,4", ": 40 %", "= 0.4") or as a percentage ("40 %")
_BRACKETED_NUMBER = re.compile(
    r"[(\[]\s*[-+]?\d+(?:[.,]\d+)?\s*%?\s*[)\]]"
    r"|(?:[—–:=]|\s-)\s*[-+]?\d+(?:[.,]\d+)?\s*(?:%|балл\w*|points?)?\s*$"
    r"|\d\s*%"
)
_ROMAN = re.compile(r"(?=[IVXLC])X{0,3}(?:IX|IV|V?I{0,3})|(?=[IVXLC])X?L?X{0,3}")


class _Named(Translated):
    """A message parameter in both languages that compares and searches as its English text — as the plain
    strings these parameters were before they were translated (``p.params["field"] == "stem (ru)"``)."""

    def __contains__(self, part: object) -> bool:
        return dict.__contains__(self, part) or (isinstance(part, str) and part in str(self))

    def __eq__(self, other: object) -> bool:
        return str(self) == other if isinstance(other, str) else dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]  # a dict: never a key


#: the fields of an item as a message names them, per language
_FIELD = {
    "stem": _Named(en="stem", ru="текст вопроса"),
    "scenario": _Named(en="scenario", ru="ситуация"),
    "explanation": _Named(en="explanation", ru="пояснение"),
    "unit": _Named(en="unit", ru="единица"),
}


def _option_field(option_id: str, part: str = "text") -> _Named:
    if part == "feedback":
        return _Named(en=f"feedback of option {option_id}", ru=f"отклик на вариант {option_id}")
    return _Named(en=f"option {option_id}", ru=f"вариант {option_id}")


def _texts_of(item: QuizItem) -> list[tuple[tuple[str | int, ...], str, dict[str, str]]]:
    """(path, field name, texts) of every text of an item."""
    out: list[tuple[tuple[str | int, ...], _Named, dict[str, str]]] = [(("stem",), _FIELD["stem"], item.stem)]
    if item.scenario is not None:
        out.append((("scenario",), _FIELD["scenario"], item.scenario))
    for k, option in enumerate(item.options):
        out.append((("options", k, "text"), _option_field(option.id), option.text))
        if option.feedback is not None:
            out.append((("options", k, "feedback"), _option_field(option.id, "feedback"), option.feedback))
    out.append((("explanation",), _FIELD["explanation"], item.explanation))
    if item.unit is not None:
        out.append((("unit",), _FIELD["unit"], item.unit))
    return out


def _default_locate(item: QuizItem, path: tuple[str | int, ...]) -> Location:
    return Location(path=".".join(map(str, (item.id, *path))))


def lint_bank(
    items: Sequence[QuizItem],
    rules: ItemLintRules | None = None,
    *,
    questionnaires: Iterable[Any] | None = None,
    locate: Locate | None = None,
    languages: Sequence[str] = ("ru", "en"),
    bank_location: Location | None = None,
) -> Report:
    """Every item-writing flaw of the bank as warnings (and the longest-option scores as information).

    ``questionnaires``: loaded questionnaires whose questions quotations must match word for word (default:
    the shipped ones, :func:`shipped_questionnaires`; ``[]`` checks no quotation).
    ``locate(item, path)`` gives the location of a text of an item (default: ``item.path``);
    ``bank_location`` that of problems of the whole bank (default: ``items``).
    """
    rules = rules or ItemLintRules()
    where = locate or _default_locate
    report = Report(subject="item bank")
    bank = bank_location or Location(path="items")
    _positions(items, rules, report, bank)
    _longest(items, rules, report, where, languages, bank)
    texts = questionnaire_texts(shipped_questionnaires() if questionnaires is None else questionnaires)
    allowed = {a.casefold() for a in rules.latin_allowed}
    for item in items:
        _all_none(item, report, where)
        _all_but_one(item, report, where)
        _answer_shown(item, report, where, languages)
        _latin_in_russian(item, allowed, report, where)
        if texts:
            _paraphrase(item, texts, rules, report, where, languages)
    return report


def _warn(report: Report, code: ErrorCode, location: Location, **params: Any) -> None:
    report.add(code, location, Severity.WARNING, **params)


def _slack(n: int) -> float:
    """The share one item makes in a bank of ``n`` items, beyond which a small bank cannot be more even (0
    from 100 items on, where the thresholds of rules.yaml apply as written)."""
    return 1 / n if n < 100 else 0.0


def _positions(items: Sequence[QuizItem], rules: ItemLintRules, report: Report, bank: Location) -> None:
    single = _single(items)
    if len(single) < 4:  # fewer items than positions: no spread to speak of
        return
    observed, expected = key_positions(single)
    n = len(single)
    gaps = {p: (observed[p] - expected[p]) / n for p in observed}
    worst = max(gaps, key=lambda p: abs(gaps[p]))
    # one item of slack: a bank of 9 items cannot spread its keys over 4 positions closer than 3-2-2-2
    if abs(gaps[worst]) <= rules.max_position_share_gap + _slack(n):
        return
    over = max(gaps, key=lambda p: gaps[p])
    under = [p for p in sorted(gaps, key=lambda p: gaps[p]) if gaps[p] < 0][:2]
    shares = ", ".join(f"{_LETTERS[p]} {_pct(observed[p] / n)}" for p in sorted(observed))
    expect = ", ".join(f"{_LETTERS[p]} {_pct(expected[p] / n)}" for p in sorted(expected))
    movable = [i.id for i in single if i.option_ids.index(i.answer) == over][:8]
    targets = " / ".join(_LETTERS[p] for p in under) or "?"
    report.add(
        ErrorCode.LINT_KEY_POSITION,
        bank,
        Severity.WARNING,
        detail=Translated(
            en=f"of {n} single-answer items the keys fall on {shares}; an even spread gives {expect}",
            ru=f"у {n} вопросов с одним ответом правильные ответы стоят так: {shares}; при равномерном "
            f"распределении — {expect}",
        ),
        fix=Translated(
            en=f"Move the key of some items from {_LETTERS[over]} to {targets} (reorder their options): "
            f"{', '.join(movable)}.",
            ru=f"Переставьте варианты, чтобы правильный ответ стоял не на {_LETTERS[over]}, а на {targets}, "
            f"например в вопросах: {', '.join(movable)}.",
        ),
    )


def _longest(
    items: Sequence[QuizItem],
    rules: ItemLintRules,
    report: Report,
    where: Locate,
    languages: Sequence[str],
    bank: Location,
) -> None:
    single = _single(items)
    if not single:
        return
    scores = {language: length_strategy_scores(single, language) for language in languages}
    chance = next(iter(scores.values()))[1]
    # one item of slack, as for keyed positions: in a 3-item bank one key of the longest option is 33 %
    limit = min(1.0, chance + rules.longest_option_margin + _slack(len(single)))
    for language, (by_strategy, _) in scores.items():
        for name, score in by_strategy.items():
            if score <= limit + 1e-9:
                continue
            position = LENGTH_STRATEGIES[name]
            cued = [i for i in single if _at_rank(i, language, position)][:8]
            report.add(
                ErrorCode.LINT_LONGEST_OPTION,
                bank,
                Severity.WARNING,
                which=_STRATEGY_NAMES[name],
                score=_pct(score),
                language=LANGUAGE_NAMES.get(language, language),
                chance=_pct(chance),
                limit=_pct(limit),
                fix=Translated(
                    en=f"Too many keys are {_STRATEGY_NAMES[name]['en']} option; change the option lengths in some "
                    "of these items so that the key's length varies: " + ", ".join(i.id for i in cued) + ".",
                    ru=f"Слишком часто правильный вариант — {_STRATEGY_NAMES[name]['ru']}; измените длину вариантов "
                    "в части этих вопросов, чтобы длина правильного ответа менялась: "
                    + ", ".join(i.id for i in cued)
                    + ".",
                ),
            )
    report.add(
        ErrorCode.LINT_STRATEGY,
        bank,
        Severity.INFO,
        n=len(single),
        scores=Translated(
            en="; ".join(
                f"{LANGUAGE_NAMES.get(lang, Translated(en=lang))['en']}: "
                + ", ".join(f"{_STRATEGY_NAMES[name]['en']} {_pct(v)}" for name, v in by.items())
                for lang, (by, _) in scores.items()
            ),
            ru="; ".join(
                f"{LANGUAGE_NAMES.get(lang, Translated(ru=lang))['ru']}: "
                + ", ".join(f"{_STRATEGY_NAMES[name]['ru']} {_pct(v)}" for name, v in by.items())
                for lang, (by, _) in scores.items()
            ),
        ),
        chance=_pct(chance),
        limit=_pct(limit),
    )
    for item in single:
        for language in languages:
            ratio = _key_ratio(item, language)
            if ratio >= rules.max_key_length_ratio and _is_longest(item, language):
                index = item.option_ids.index(item.answer)
                _warn(
                    report,
                    ErrorCode.LINT_KEY_LONGEST,
                    where(item, ("options", index, "text")),
                    item=item.id,
                    language=LANGUAGE_NAMES.get(language, language),
                    ratio=_Named(en=f"{ratio:.1f}", ru=f"{ratio:.1f}".replace(".", ",")),
                )


def _at_rank(item: QuizItem, language: str, position: int) -> bool:
    lengths = _lengths(item, language)
    target = sorted(lengths.values(), reverse=True)[position]
    return lengths[str(item.answer)] == target


def _lengths(item: QuizItem, language: str) -> dict[str, int]:
    return {o.id: len(o.text.get(language, "").strip()) for o in item.options}


def _is_longest(item: QuizItem, language: str) -> bool:
    lengths = _lengths(item, language)
    return lengths[str(item.answer)] == max(lengths.values())


def _key_ratio(item: QuizItem, language: str) -> float:
    lengths = _lengths(item, language)
    others = [n for k, n in lengths.items() if k != item.answer]
    mean = sum(others) / len(others) if others else 0
    return lengths[str(item.answer)] / mean if mean else 0.0


def _all_none(item: QuizItem, report: Report, where: Locate) -> None:
    for k, option in enumerate(item.options):
        for language in _ALL_NONE:
            text = option.text.get(language, "")
            if text and refers_to_options(text, language):
                _warn(
                    report,
                    ErrorCode.LINT_ALL_NONE,
                    where(item, ("options", k, "text")),
                    item=item.id,
                    option=option.id,
                    text=text,
                )
                break


def _all_but_one(item: QuizItem, report: Report, where: Locate) -> None:
    if item.answer_kind != "multi" or len(item.options) < 3:
        return
    key = item.key_set
    left = [o for o in item.option_ids if o not in key]
    if len(left) <= 1:
        _warn(
            report,
            ErrorCode.LINT_ALL_BUT_ONE,
            where(item, ("answer",)),
            item=item.id,
            n_key=len(key),
            n_options=len(item.options),
            option=left[0] if left else Translated(en="none", ru="ни один"),
        )


def _answer_shown(item: QuizItem, report: Report, where: Locate, languages: Sequence[str]) -> None:
    if not item.options:
        return
    for language in languages:
        stem = " ".join(t.get(language, "") for t in (item.scenario or {}, item.stem))
        pattern = _SUPERLATIVE.get(language)
        texts = [o.text.get(language, "") for o in item.options]
        if pattern and pattern.search(stem.casefold()) and all(_BRACKETED_NUMBER.search(t) for t in texts):
            _warn(
                report,
                ErrorCode.LINT_ANSWER_SHOWN,
                where(item, ("options",)),
                item=item.id,
                detail=Translated(
                    en="the stem asks for the largest or smallest, and every option prints its value (in brackets, "
                    "after a dash or as a percentage)",
                    ru="вопрос спрашивает о наибольшем или наименьшем, а каждый вариант показывает своё значение (в "
                    "скобках, после тире или в процентах)",
                ),
                fix=Translated(
                    en="Remove the values from the options: the trainee must know them.",
                    ru="Уберите значения из вариантов: их должен знать сам обучающийся.",
                ),
            )
            return
        for key in item.key_set:
            key_text = _norm(item.option(key).text.get(language, ""))
            if len(key_text.split()) >= 3 and key_text in _norm(stem):
                _warn(
                    report,
                    ErrorCode.LINT_ANSWER_SHOWN,
                    where(item, ("stem",)),
                    item=item.id,
                    detail=Translated(
                        en=f"the stem repeats the keyed option {key} word for word",
                        ru=f"в тексте вопроса дословно повторён правильный вариант {key}",
                    ),
                    fix=Translated(
                        en="Rewrite the stem so that it does not contain the answer.",
                        ru="Перепишите вопрос, чтобы в нём не было ответа.",
                    ),
                )
                return


def _latin_in_russian(item: QuizItem, allowed: set[str], report: Report, where: Locate) -> None:
    for path, field, texts in _texts_of(item):
        text = texts.get("ru", "")
        if not text:
            continue
        for name in allowed:  # allowed names may hold dots or spaces ("bus.gov.ru")
            text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
        found: list[str] = []
        for word in re.findall(r"[\w.\-/]+", text):
            word = word.strip(".-/")
            if not re.search(r"[A-Za-z]", word) or word.casefold() in allowed or word in found:
                continue
            if _ROMAN.fullmatch(word) or len(word) == 1:
                continue  # a Roman numeral («II группа») or an option's letter («вариант B»)
            found.append(word)  # a Latin word or code, or a word mixing Latin and Cyrillic letters
        if found:
            _warn(
                report,
                ErrorCode.LINT_LATIN_IN_RUSSIAN,
                where(item, path),
                item=item.id,
                field=field,
                words=", ".join(found[:8]),
            )


def _paraphrase(
    item: QuizItem,
    texts: Sequence[QuestionText],
    rules: ItemLintRules,
    report: Report,
    where: Locate,
    languages: Sequence[str],
) -> None:
    fields = [(("stem",), _FIELD["stem"], item.stem)]
    if item.scenario is not None:
        fields.append((("scenario",), _FIELD["scenario"], item.scenario))
    fields += [(("options", k, "text"), _option_field(o.id), o.text) for k, o in enumerate(item.options)]
    reported: set[tuple[str, str, str]] = set()
    for path, field, by_language in fields:
        for language in languages:
            pool = [t for t in texts if t.language == language]
            questions = [t for t in pool if t.kind == "question"]
            for quoted in _quotations(by_language.get(language, ""), language):
                parts = _parts(quoted)
                joined = " ".join(parts)
                if len(joined.split()) < rules.min_quote_words or _verbatim(parts, pool):
                    continue
                words = {w for w in joined.split() if len(w) > 3}
                best: tuple[float, QuestionText | None] = (0.0, None)
                for question in questions:
                    shared = len(words & set(question.norm.split())) / max(1, len(words))
                    if shared < 0.5:  # a quotation of this question shares most of its words
                        continue
                    score = coverage(joined, question.norm)
                    if score > best[0]:
                        best = (score, question)
                ratio, question = best
                if (
                    (question is None or ratio < rules.paraphrase_similarity)
                    and _one_question(quoted)
                    and not isinstance(quoted, _Unquoted)
                ):
                    # a question put in other words ("Есть ли у Вас группа инвалидности?"): most of its word
                    # stems are those of one questionnaire question
                    ratio, question = max(
                        (
                            (stem_overlap(joined, q.norm), q)
                            for q in questions
                            if q.text.rstrip().endswith("?")
                        ),
                        key=lambda pair: pair[0],
                        default=(0.0, None),
                    )
                    ratio = 1.0 if ratio >= _QUESTION_STEMS else 0.0
                if question is not None and ratio >= rules.paraphrase_similarity:
                    if (str(field), language, question.code) in reported:
                        continue  # the same quotation caught by two kinds of quotation marks
                    reported.add((str(field), language, question.code))
                    _warn(
                        report,
                        ErrorCode.LINT_PARAPHRASE,
                        where(item, path),
                        item=item.id,
                        field=_Named(en=f"{field['en']} ({language})", ru=f"{field['ru']} ({language})"),
                        question=question.code,
                        questionnaire=question.questionnaire,
                        quoted=quoted.strip(),
                        verbatim=question.text,
                    )


# --------------------------------------------------------------------------------------------------------
# the course on disk: locations, questionnaires, the validate entry point
# --------------------------------------------------------------------------------------------------------


def item_locations(root: Path) -> dict[str, tuple[str, dict[tuple[str | int, ...], int]]]:
    """Item id -> (file shown to the user, line of every path inside the item) for ``root/items/*.yaml``."""
    import yaml

    from surveykit.training.loader import _display

    found: dict[str, tuple[str, dict[tuple[str | int, ...], int]]] = {}
    for path in sorted((Path(root) / "items").glob("*.yaml")):
        try:
            node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        items = next((v for k, v in node.value if k.value == "items"), None)
        if not isinstance(items, yaml.SequenceNode):
            continue
        for entry in items.value:
            if not isinstance(entry, yaml.MappingNode):
                continue
            lines: dict[tuple[str | int, ...], int] = {(): entry.start_mark.line + 1}
            item_id = None

            def walk(n: yaml.Node, at: tuple[str | int, ...], lines: dict = lines) -> None:
                lines.setdefault(at, n.start_mark.line + 1)
                if isinstance(n, yaml.MappingNode):
                    for k, v in n.value:
                        lines[(*at, k.value)] = k.start_mark.line + 1
                        walk(v, (*at, k.value))
                elif isinstance(n, yaml.SequenceNode):
                    for i, v in enumerate(n.value):
                        walk(v, (*at, i))

            walk(entry, ())
            for k, v in entry.value:
                if k.value == "id" and isinstance(v, yaml.ScalarNode):
                    item_id = v.value
            if item_id:
                found[item_id] = (_display(path), lines)
    return found


def _locator(root: Path) -> Locate:
    known = item_locations(root)

    def locate(item: QuizItem, path: tuple[str | int, ...]) -> Location:
        shown = ".".join(map(str, (item.id, *path)))
        if item.id not in known:
            return Location(path=shown)
        file, lines = known[item.id]
        for end in range(len(path), -1, -1):
            line = lines.get(tuple(path[:end]))
            if line is not None:
                return Location(file=file, line=line, path=shown)
        return Location(file=file, path=shown)

    return locate


def shipped_questionnaires(folder: Path | None = None) -> list[Any]:
    """The questionnaires in ``folder`` (default: the questionnaires directory) that load; a broken
    questionnaire is the business of ``surveykit validate``, not of the item-bank linter."""
    if folder is None:
        from surveykit.config import settings

        folder = Path(settings().questionnaires_dir)
    paths = sorted(Path(folder).glob("*.yaml"))
    stamp = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        stamp.append((str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    return list(_load_questionnaires(tuple(stamp)))


@functools.lru_cache(maxsize=4)
def _load_questionnaires(stamp: tuple[tuple[str, int, int], ...]) -> tuple[Any, ...]:
    """The questionnaires of a folder, loaded once per state of its files (path, mtime, size)."""
    from surveykit.errors import SurveykitError
    from surveykit.questionnaire.io import load_questionnaire

    out = []
    for path, _mtime, _size in stamp:
        try:
            out.append(load_questionnaire(Path(path)))
        except (SurveykitError, OSError, ValueError):
            continue
    return tuple(out)


def lint_course(
    course: Course, *, root: Path | None = None, questionnaires: Iterable[Any] | None = None
) -> Report:
    """Lint the bank of a loaded course with its ``item_lint`` rules; ``root``: the course folder, for
    file and line locations; ``questionnaires``: default the shipped ones."""
    from surveykit.training.loader import _display

    qs = shipped_questionnaires() if questionnaires is None else list(questionnaires)
    locate = _locator(root) if root is not None else None
    bank = Location(file=_display(Path(root) / "items")) if root is not None else None
    report = lint_bank(
        course.items, course.rules.item_lint, questionnaires=qs, locate=locate, bank_location=bank
    )
    report.subject = f"item bank {_display(Path(root))}" if root is not None else "item bank"
    return report


def lint_path(path: Path | str, *, questionnaires: Iterable[Any] | None = None) -> Report:
    """The ``validate`` entry point for the item-bank kind: load the course in ``path`` (a course folder,
    or a file inside it such as ``items/m4.yaml``) and lint its bank. Problems loading the course come
    back as errors in the report; nothing raises for a bad course."""
    from surveykit.errors import TrainingError
    from surveykit.training.course import load_course

    root = Path(path)
    if not root.exists():
        report = Report(subject=f"item bank {root}")
        report.add(ErrorCode.FILE_NOT_FOUND, Location(file=str(root)), path=str(root), cwd=str(Path.cwd()))
        return report
    if root.is_file():
        if not (root.parent / "course.yaml").is_file() and not (root.parent.parent / "course.yaml").is_file():
            return _lint_item_file_alone(root, questionnaires)  # an item file outside any course
        root = root.parent.parent if root.parent.name == "items" else root.parent
    try:
        course = load_course(root)
    except TrainingError as err:
        report = Report(subject=f"course {root}")
        report.extend(err.report if err.report is not None else [err.problem])
        return report
    return lint_course(course, root=root, questionnaires=questionnaires)


def _lint_item_file_alone(path: Path, questionnaires: Iterable[Any] | None) -> Report:
    """One item-bank file with no course around it (a draft): its schema problems, then its flaws with the
    default rules, located at its lines."""
    from surveykit.training.loader import read_item_file

    report = Report(subject=f"item bank {path}")
    item_file = read_item_file(path, report)
    if item_file is None or not item_file.items:
        return report
    index = {item.id: i for i, item in enumerate(item_file.items)}
    found = lint_bank(
        item_file.items,
        ItemLintRules(),
        questionnaires=shipped_questionnaires() if questionnaires is None else questionnaires,
        locate=lambda item, at: item_file.locate(index[item.id], *at),
        bank_location=Location(file=item_file.file),
    )
    report.extend(found)
    return report


# --- surveykit validate ---------------------------------------------------------------------------------------
#: the linter's findings about the bank as a whole (balance of keyed positions, length cues): ``validate``
#: reports them with the course file, and the flaws of single items with the item-bank file that holds them
BANK_CODES = frozenset({ErrorCode.LINT_KEY_POSITION, ErrorCode.LINT_LONGEST_OPTION, ErrorCode.LINT_STRATEGY})


def _rules_near(root: Path) -> ItemLintRules:
    from surveykit.errors import TrainingError
    from surveykit.training.loader import load_rules

    try:
        return load_rules(root).item_lint
    except (TrainingError, OSError):  # a broken rules.yaml is reported by its own kind
        return ItemLintRules()


def lint_item_file(checked: Any) -> Report:
    """``validate``'s extra check of an item-bank file (registered in :mod:`surveykit.filekinds`): the
    item-writing flaws of the file's own items, located at their lines, with the course's ``item_lint`` rules
    and the questionnaires beside the course."""
    item_file = checked.value
    root = Path(checked.path).resolve().parent.parent
    index = {item.id: i for i, item in enumerate(item_file.items)}

    def locate(item: QuizItem, path: tuple[str | int, ...]) -> Location:
        return item_file.locate(index[item.id], *path)

    found = lint_bank(
        item_file.items,
        _rules_near(root),
        questionnaires=shipped_questionnaires(root.parent),
        locate=locate,
    )
    return Report((p for p in found if p.code not in BANK_CODES), subject=str(checked.path))


def lint_course_file(checked: Any) -> Report:
    """``validate``'s extra check of a course file: the balance and length cues of the whole bank, and the
    quotes the lesson files type instead of generating them that differ from the questionnaires (SK852)."""
    from surveykit.training.lessons import quote_problems

    root = Path(checked.path).resolve().parent
    found = lint_path(root, questionnaires=shipped_questionnaires(root.parent))
    report = Report((p for p in found if p.code in BANK_CODES), subject=str(checked.path))
    report.extend(quote_problems(root).problems)
    return report
