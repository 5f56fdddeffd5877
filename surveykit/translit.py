"""Transliteration of Cyrillic into Latin letters: the one home of the tables the package uses.

Three tables, each for its own purpose:

``ICAO``
    ICAO Doc 9303, 8th edition (2021), Part 3, Appendix B to Section 6 ("Transliteration of multinational
    Latin-based characters" / Cyrillic): the table of machine-readable travel documents. Russian
    international passports use it since 2014 (order of the Federal Migration Service No. 320 of
    15.10.2012): ``Потапова Алёна`` -> ``POTAPOVA ALENA``. Used for file names of certificates and for
    matching a name typed as in a passport.
``GOST_779_B``
    GOST 7.79-2000 (ISO 9:1995) system B, the ASCII-only system of Russian bibliographies and, in practice,
    of many people writing their own name (``Алёна`` -> ``Alyona``, ``й`` -> ``j``, ``х`` -> ``x``;
    ``ц`` is ``c`` before e, i, y, j and ``cz`` elsewhere). The apostrophe-like marks of the standard
    (``ъ`` -> ``````, ``ь`` -> `````, ``ы`` -> ``y```, ``э`` -> ``e```) are left out: they never survive
    typing a name. Used for name matching.
``SIMPLE``
    BGN/PCGN 1947 without diacritics and apostrophes (``й`` -> ``y``, ``ю`` -> ``yu``, ``х`` -> ``kh``),
    plus the Ukrainian letters і ї є ґ: readable ASCII for variable names suggested from Russian labels
    (:func:`surveykit.questionnaire.names.suggest_name`), and a third common spelling of names
    (``Юлия`` -> ``Yuliya``).

GOST R 52535.1-2006 (Russian passports 2010-2013) differs from ICAO only in ``ц`` -> ``tc`` and ``ъ`` left
out; :data:`GOST_52535` is ICAO with those two letters changed.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["GOST_52535", "GOST_779_B", "ICAO", "SCHEMES", "SIMPLE", "transliterate"]

ICAO: Mapping[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "",
    "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

GOST_52535: Mapping[str, str] = {**ICAO, "ц": "tc", "ъ": ""}

GOST_779_B: Mapping[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ц": "cz", "ч": "ch", "ш": "sh", "щ": "shh", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

SIMPLE: Mapping[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip

#: the tables a typed name may follow (name matching tries each)
SCHEMES: dict[str, Mapping[str, str]] = {
    "icao": ICAO,
    "gost_52535": GOST_52535,
    "gost_779_b": GOST_779_B,
    "simple": SIMPLE,
}


def transliterate(text: str, table: Mapping[str, str] = ICAO) -> str:
    """``text`` in Latin letters by ``table`` (lower case; characters not in the table are kept).

    GOST 7.79 system B writes ``ц`` as ``c`` before e, i, y, j (the letters that follow in Latin)."""
    lowered = text.lower()
    out: list[str] = []
    for i, char in enumerate(lowered):
        latin = table.get(char, char)
        if table is GOST_779_B and char == "ц":
            following = table.get(lowered[i + 1], "") if i + 1 < len(lowered) else ""
            latin = "c" if following[:1] in ("e", "i", "y", "j") else "cz"
        out.append(latin)
    return "".join(out)
