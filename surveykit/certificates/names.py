"""Does a name someone typed belong to the holder of a certificate?

Verification asks for the holder's name as read off an ID document; people type it the way their document
or habit has it. :func:`names_match` forgives, and only forgives, what does not change the person:

- **order**: ``Потапова Алёна Игоревна``, ``Алёна Игоревна Потапова`` and ``Алёна Потапова`` (a Russian
  passport puts the surname first; forms and e-mails put it last);
- **the patronymic left out**: only a token that is a patronymic (``-вич``, ``-вна``, ``-ична``, ``-ич``,
  ``оглы``, ``кызы``) may be missing; surname and given name must both be there;
- **case, ё/е, extra spaces, hyphens** (``Петрова-Водкина`` and ``Петрова Водкина``);
- **transliteration**: a Latin token matches a Cyrillic one when it equals its transliteration by one of the
  standard tables of :mod:`surveykit.translit` (ICAO Doc 9303 as in Russian passports since 2014,
  GOST R 52535.1-2006 of 2010-2013 passports, GOST 7.79-2000 system B, BGN/PCGN without diacritics):
  ``Alena``, ``Alyona`` and ``Алёна`` are the same token. Each token may follow its own table (a surname
  from an old passport, a given name as the person writes it).

Nothing else is forgiven: a different letter is a different name (the verifier is told to check the
spelling, never that the certificate is forged; *forged* comes from the signature alone).

The QR code carries only a hash of the full name as printed (:func:`~surveykit.certificates.name_hash`).
Without the register :func:`qr_name_candidates` tries the typed tokens in every order; a name typed in
another alphabet or without the patronymic cannot be confirmed that way, and the verification says so.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator

from surveykit.translit import ICAO, SCHEMES, transliterate

__all__ = ["MAX_NAME_CHARS", "names_match", "qr_name_candidates"]

#: longer input is not a name (and is not worth matching)
MAX_NAME_CHARS = 200
_MAX_TOKENS = 6
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_PATRONYMIC_ENDINGS = ("vich", "vna", "ichna", "ich", "ogly", "kyzy", "ogli", "kizi")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().replace("ё", "е")


def _tokens(text: str) -> list[str]:
    folded = _fold(text)
    return [token for token in re.split(r"[\s\-‐‑–—.,;]+", folded) if token]


def _latin(token: str) -> str:
    """A Latin token without diacritics and apostrophes (``Alëna`` -> ``alena``, ``Ol'ga`` -> ``olga``)."""
    plain = unicodedata.normalize("NFKD", token).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", plain)


def _forms(token: str) -> frozenset[str]:
    """The spellings a token may be typed in: itself, or its transliterations by every standard table."""
    if not _CYRILLIC.search(token):
        return frozenset({_latin(token)})
    # 'ё' was folded into 'е' for comparison; the tables that write 'ё' differently need it back, which we
    # cannot know: try both readings of every 'е' only where the word has one (names are short)
    readings = {token}
    if "е" in token and token.count("е") <= 3:
        positions = [i for i, c in enumerate(token) if c == "е"]
        for chosen in itertools.product("её", repeat=len(positions)):
            chars = list(token)
            for i, c in zip(positions, chosen, strict=True):
                chars[i] = c
            readings.add("".join(chars))
    return frozenset(_latin(transliterate(r, table)) for r in readings for table in SCHEMES.values())


def _same(given: str, held: str) -> bool:
    if _CYRILLIC.search(given) and _CYRILLIC.search(held):
        return given == held
    return bool(_forms(given) & _forms(held))


def _is_patronymic(token: str) -> bool:
    latin = _latin(transliterate(token, ICAO))
    return latin.endswith(_PATRONYMIC_ENDINGS)


def names_match(given: str, holder: str) -> bool:
    """Whether ``given`` names the person ``holder`` (see the module docstring for what is forgiven)."""
    if not given or not holder or len(given) > MAX_NAME_CHARS:
        return False
    typed, held = _tokens(given), _tokens(holder)
    if not typed or len(typed) > _MAX_TOKENS or len(held) > _MAX_TOKENS or len(typed) > len(held):
        return False

    def assign(i: int, free: frozenset[int]) -> bool:
        if i == len(typed):
            left = [held[j] for j in free]
            return len(left) <= 1 and all(_is_patronymic(token) for token in left)
        return any(_same(typed[i], held[j]) and assign(i + 1, free - {j}) for j in free)

    return assign(0, frozenset(range(len(held))))


def qr_name_candidates(given: str) -> Iterator[str]:
    """The typed name with its words in every order (at most 4 words), for the QR code's name hash."""
    if not given or len(given) > MAX_NAME_CHARS:
        return
    words = given.split()
    if len(words) > 4:
        yield given
        return
    seen: set[str] = set()
    for order in itertools.permutations(words):
        candidate = " ".join(order)
        if candidate not in seen:
            seen.add(candidate)
            yield candidate
