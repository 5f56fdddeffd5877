"""Certificate serial numbers: ``SK-2026-7F3K-9QXM``, human-friendly, with a check character.

Layout: ``SK`` - year of issue - seven random symbols - one check symbol (the last one)::

    SK-2026-7F3K-9QXM
       ^^^^ ^^^^ ^^^M   year, 7 random symbols (35 bits), check symbol

Alphabet: Crockford's base 32, ``0123456789ABCDEFGHJKMNPQRSTVWXYZ`` (no I, L, O, U, which are easily
confused or misread). When a serial is typed in, case does not matter, spaces and missing dashes are
forgiven, and the look-alikes ``O`` -> ``0`` and ``I``/``L`` -> ``1`` are corrected as Crockford suggests.

Check symbol: the Luhn mod N algorithm with N = 32 over the year and the seven random symbols. It detects
every single-symbol substitution and almost every swap of two neighbouring symbols, so a typo leads to
"this is not a valid serial number" instead of a lookup of somebody else's certificate.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

__all__ = ["ALPHABET", "PREFIX", "check_symbol", "is_valid_serial", "new_serial", "normalize_serial"]

#: Crockford's base 32 alphabet; the value of a symbol is its position
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "SK"
RANDOM_SYMBOLS = 7
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(rf"^{PREFIX}(\d{{4}})([{ALPHABET}]{{{RANDOM_SYMBOLS + 1}}})$")


def _luhn_sum(symbols: str, *, double_first: bool) -> int:
    """Luhn mod 32 sum from the right; every second symbol is doubled, and its base-32 digits summed."""
    n = len(ALPHABET)
    total, double = 0, double_first
    for symbol in reversed(symbols):
        addend = _VALUES[symbol] * (2 if double else 1)
        total += addend // n + addend % n
        double = not double
    return total


def check_symbol(symbols: str) -> str:
    """The check symbol to append to ``symbols`` (year and random part, no dashes)."""
    n = len(ALPHABET)
    return ALPHABET[(n - _luhn_sum(symbols, double_first=True) % n) % n]


def new_serial(year: int, *, choose: Callable[[str], str] = secrets.choice) -> str:
    """A new random serial for a certificate issued in ``year``, e.g. ``SK-2026-7F3K-9QXM``."""
    body = "".join(choose(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    check = check_symbol(f"{year:04d}{body}")
    return f"{PREFIX}-{year:04d}-{body[:4]}-{body[4:]}{check}"


def normalize_serial(text: str) -> str | None:
    """The canonical form ``SK-YYYY-XXXX-XXXX`` of a typed serial, or ``None`` when it is not one.

    Returns ``None`` both for text of the wrong shape and for a wrong check symbol (a typo).
    """
    compact = re.sub(r"[\s\-_.]", "", str(text)).upper().translate(_LOOK_ALIKES)
    match = _SHAPE.match(compact)
    if not match:
        return None
    year, symbols = match.groups()
    if _luhn_sum(year + symbols, double_first=False) % len(ALPHABET) != 0:
        return None
    return f"{PREFIX}-{year}-{symbols[:4]}-{symbols[4:]}"


def looks_like_serial(text: str) -> bool:
    """Whether ``text`` has the shape of a serial (whether or not its check symbol is right)."""
    compact = re.sub(r"[\s\-_.]", "", str(text)).upper().translate(_LOOK_ALIKES)
    return bool(_SHAPE.match(compact))


def is_valid_serial(text: str) -> bool:
    return normalize_serial(text) is not None


def serial_year(serial: str) -> int:
    """The year part of a canonical serial."""
    return int(serial.split("-")[1])


def serial_symbols(serial: str) -> str:
    """The eight symbols after the year (random part and check symbol) of a canonical serial."""
    return "".join(serial.split("-")[2:])
