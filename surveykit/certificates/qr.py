"""QR symbols for verification URLs: segno encodes, numpy chooses the data mask.

ISO/IEC 18004:2015 7.8 asks the encoder to try all eight data masks and keep the one with the lowest
penalty (N1 runs, N2 2x2 blocks, N3 finder-like patterns, N4 dark/light balance). segno does that in pure
Python, which takes three quarters of the time of a certificate page. Here segno encodes the URL once
(mask 0); the other seven candidates are derived from it with numpy (the data modules are the mask-0
modules XOR mask 0 XOR mask k; function patterns, format and version information are copied from
reference symbols segno made with mask k for the same version and error level, once per batch), and the
penalties of all eight are computed with numpy on the complete symbol, with the quiet zone counted as
light (as ZXing does). The tests check that every derived candidate equals segno's own symbol for that
mask, module for module.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import segno
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["QR_ERROR", "QrSymbol", "penalties", "penalty", "qr_symbol"]

#: error correction M (15 %): survives a fold or a smudge and keeps the symbol small; segno raises the
#: level when a higher one fits in the same version
QR_ERROR = "m"


@dataclass(frozen=True)
class QrSymbol:
    """A QR code without its quiet zone: ``matrix[row][column]`` is True for a dark module."""

    matrix: np.ndarray
    version: int
    error: str
    mask: int

    @property
    def size(self) -> int:
        return self.matrix.shape[0]

    @property
    def designator(self) -> str:
        return f"{self.version}-{self.error}"


def _alignment_centres(version: int) -> list[int]:
    """Row/column centres of the alignment patterns (ISO/IEC 18004 Annex E, as a formula)."""
    if version == 1:
        return []
    size = 17 + 4 * version
    count = version // 7 + 2
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    return [6, *reversed([size - 7 - i * step for i in range(count - 1)])]


@functools.cache
def function_modules(version: int) -> np.ndarray:
    """True where a module is not masked: finders with separators and format areas, timing, alignment,
    version information and the dark module."""
    n = 17 + 4 * version
    f = np.zeros((n, n), dtype=bool)
    f[:9, :9] = f[:9, n - 8 :] = f[n - 8 :, :9] = True
    f[6, :] = f[:, 6] = True
    centres = _alignment_centres(version)
    for r in centres:
        for c in centres:
            if (r, c) not in ((6, 6), (6, centres[-1]), (centres[-1], 6)):
                f[r - 2 : r + 3, c - 2 : c + 3] = True
    if version >= 7:
        f[:6, n - 11 : n - 8] = f[n - 11 : n - 8, :6] = True
    f.flags.writeable = False  # cached: shared by every caller
    return f


@functools.cache
def _mask_patterns(n: int) -> np.ndarray:
    """The eight data mask patterns of ISO/IEC 18004 Table 10, shape (8, n, n); True inverts a module."""
    i, j = np.indices((n, n))
    patterns = np.stack(
        [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i + j) % 2 + (i * j) % 3) % 2 == 0,
        ]
    )
    patterns.flags.writeable = False  # cached: shared by every caller
    return patterns


_REFERENCES: dict[tuple[int, str], np.ndarray] = {}


def _references(version: int, error: str, sample: str) -> np.ndarray:
    """Symbols segno made with each mask, at this version and level: their function modules hold the
    format and version information of that mask, which do not depend on the content. Made once per
    (version, level), from the first URL that needs them."""
    key = (version, error)
    if key not in _REFERENCES:
        references = np.stack(
            [
                np.array(
                    segno.make(
                        sample, version=version, error=error, mask=k, boost_error=False, micro=False
                    ).matrix,
                    dtype=bool,
                )
                for k in range(8)
            ]
        )
        references.flags.writeable = False
        _REFERENCES[key] = references
    return _REFERENCES[key]


def _runs(rows: np.ndarray) -> np.ndarray:
    """N1 per symbol for the rows of a stack (s, n, n): a run of k >= 5 modules of one colour scores
    3 + (k - 5)."""
    s, n, _ = rows.shape
    padded = np.full((s * n, n + 1), 2, dtype=np.int8)  # a sentinel ends every row
    padded[:, :n] = rows.reshape(s * n, n)
    flat = padded.ravel()
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    lengths = np.diff(np.append(starts, flat.size))
    scoring = (flat[starts] != 2) & (lengths >= 5)
    symbol = starts[scoring] // ((n + 1) * n)
    return np.bincount(symbol, weights=lengths[scoring] - 2, minlength=s)


#: 1:1:3:1:1 finder-like patterns with 4 light modules before or after, as 11-bit numbers
_FINDER_LIKE_BITS = (0b10111010000, 0b00001011101)
_BIT_WEIGHTS = 1 << np.arange(10, -1, -1)


def _finder_like(rows: np.ndarray) -> np.ndarray:
    """N3 occurrences per symbol in the rows of a stack (s, n, n), the quiet zone counted as light."""
    s, n, _ = rows.shape
    padded = np.zeros((s, n, n + 8), dtype=np.int64)
    padded[:, :, 4:-4] = rows
    values = sliding_window_view(padded, 11, axis=2) @ _BIT_WEIGHTS
    return ((values == _FINDER_LIKE_BITS[0]) | (values == _FINDER_LIKE_BITS[1])).sum(axis=(1, 2))


def penalties(stack: np.ndarray) -> np.ndarray:
    """The ISO/IEC 18004 7.8.3.1 penalty (N1 + N2 + N3 + N4) of each complete symbol of a stack
    (s, n, n); lower is better."""
    m = stack.astype(np.int8)
    columns = m.transpose(0, 2, 1)
    n1 = _runs(m) + _runs(columns)
    top_left = m[:, :-1, :-1]
    n2 = 3 * ((top_left == m[:, 1:, :-1]) & (top_left == m[:, :-1, 1:]) & (top_left == m[:, 1:, 1:])).sum(
        axis=(1, 2)
    )
    n3 = 40 * (_finder_like(m) + _finder_like(columns))
    dark_percent = 100 * m.sum(axis=(1, 2)) / (m.shape[1] * m.shape[2])
    n4 = 10 * (np.abs(dark_percent - 50) // 5)
    return (n1 + n2 + n3 + n4).astype(np.int64)


def penalty(matrix: np.ndarray) -> int:
    """The penalty of one symbol (see :func:`penalties`)."""
    return int(penalties(np.asarray(matrix)[None])[0])


def candidates(url: str) -> tuple[np.ndarray, int, str]:
    """The eight masked symbols of ``url`` (shape (8, n, n)), with the version and error level."""
    base = segno.make(url, error=QR_ERROR, micro=False, mask=0)
    version, error = int(base.version), base.error
    m0 = np.array(base.matrix, dtype=bool)
    function = function_modules(version)
    patterns = _mask_patterns(m0.shape[0])
    data = m0 ^ patterns[0]  # the unmasked data and error correction modules (where not function)
    references = _references(version, error, url)
    return np.where(function, references, data ^ patterns), version, error


def qr_symbol(url: str) -> QrSymbol:
    """The QR code of ``url`` with the lowest-penalty data mask."""
    masked, version, error = candidates(url)
    best = int(np.argmin(penalties(masked)))  # the first of equal scores, as ISO asks for none in particular
    return QrSymbol(masked[best], version, error, best)
