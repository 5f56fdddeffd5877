"""File names made from data stay inside their folder: the one home of that rule.

Whenever a file name comes from data rather than from the person at the command line (a certificate serial,
an institution id in a report's name, a template or questionnaire name read from a course file), the path is
built with :func:`safe_child`, which refuses (SK517, naming the folder and the reason) anything that could
land outside ``folder``: separators of any system (``/`` and ``\\``), ``..``, absolute paths and drive
letters, NUL and other control characters, and names that resolve (through a symbolic link) elsewhere.
Paths typed by the user at the command line (``-o exports/x.sav``) are the user's choice and are not
restricted.
"""

from __future__ import annotations

import re
from pathlib import Path

from surveykit.errors import ErrorCode, Location, SurveykitError

__all__ = ["safe_child"]

_DRIVE = re.compile(r"^[A-Za-z]:")


def _reason(name: str) -> str | None:
    if not name or not name.strip():
        return "the name is empty"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "it contains a control character (such as NUL)"
    if "/" in name or "\\" in name:
        return "it contains a folder separator"
    if _DRIVE.match(name):
        return "it starts with a drive letter"
    if name.strip(" .") == "":
        return "it names a folder ('.' or '..'), not a file"
    if len(name.encode("utf-8")) > 255:
        return "it is longer than 255 bytes"
    return None


def safe_child(folder: str | Path, name: str) -> Path:
    """``folder / name`` when ``name`` is one plain file name that stays inside ``folder``; SK517 otherwise."""
    base = Path(folder)
    reason = _reason(str(name))
    if reason is None:
        path = base / str(name)
        if not path.resolve().is_relative_to(base.resolve()):
            reason = "it leads outside the folder (a link)"
        else:
            return path
    raise SurveykitError(
        ErrorCode.UNSAFE_FILE_NAME,
        Location(file=str(base)),
        name=str(name).replace("\x00", "\\0"),
        folder=str(base),
        reason=reason,
    )
