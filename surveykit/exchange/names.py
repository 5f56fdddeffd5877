"""Variable names in exported files: valid in SPSS *and* Stata, unique regardless of case, derived names
(multiple-choice dummies ``<code>_<choice>``, repeat keys ``<repeat>_index``) shortened when they would be
too long, and every change recorded so the codebook can show it.

The rules themselves (32 characters, a Latin letter first, reserved words) live in
:mod:`surveykit.questionnaire.names`; this module only applies them to names the export makes up.
"""

from __future__ import annotations

from surveykit.errors import Translated
from surveykit.questionnaire.names import MAX_NAME_LENGTH, name_problem, suggest_name

__all__ = ["NameBook"]


class NameBook:
    """The names of one file, taken in order; SPSS compares names without case, so this does too."""

    def __init__(self) -> None:
        self._taken: dict[str, str] = {}  # lower-cased name -> the name
        #: derived or original name -> name used in the file, only where they differ
        self.renamed: dict[str, str] = {}
        #: name used in the file -> why it differs from the name it would have had
        self.reasons: dict[str, Translated] = {}

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._taken

    def owner(self, name: str) -> str | None:
        return self._taken.get(name.lower())

    def take(self, name: str) -> None:
        """Reserve a name exactly as given (question codes: already checked when the questionnaire loaded)."""
        self._taken[name.lower()] = name

    def derive(self, base: str, suffix: str | None = None) -> str:
        """A valid, unused name for ``<base>_<suffix>`` (or ``base``): the base is shortened first so that the
        suffix, which tells the variables of one question apart, stays readable; a number is added last."""
        wanted = f"{base}_{suffix}" if suffix else base
        name = wanted
        if name_problem(name) is not None or name in self:
            clean_suffix = suggest_name(suffix) if suffix else ""
            if suffix and clean_suffix.lower() == suffix.lower():
                clean_suffix = suffix  # keep the case of a suffix that was valid already
            room = MAX_NAME_LENGTH - len(clean_suffix) - 1 if clean_suffix else MAX_NAME_LENGTH
            stem = base[: max(room, 1)] if room > 0 else base[:1]
            candidate = f"{stem}_{clean_suffix}" if clean_suffix else stem
            name = suggest_name(candidate, frozenset(self._taken))
        self.take(name)
        if name != wanted:
            self.renamed[wanted] = name
            problem = name_problem(wanted)
            self.reasons[name] = (
                Translated(en="the name is taken by another variable", ru="имя занято другой переменной")
                if problem is None
                else _REASON_TOO_LONG
                if len(wanted) > MAX_NAME_LENGTH
                else Translated(en=f"'{wanted}' is not a valid name", ru=f"«{wanted}» — недопустимое имя")
            )
        return name

    def fit(
        self, name: str, limit: int, reason: Translated, *, base: str | None = None, suffix: str | None = None
    ) -> str:
        """``name`` shortened to ``limit`` characters, unique (a number is added when the cut clashes); the
        change is recorded like :meth:`derive`'s. A derived name (``base``, ``suffix``) is shortened in its
        base, so the suffix stays readable. The same names in the same order give the same result."""
        if len(name) <= limit:
            return name
        self._taken.pop(name.lower(), None)
        if base and suffix and len(suffix) < limit - 2:
            stem = f"{base[: limit - len(suffix) - 1].rstrip('_')}_{suffix}"
        else:
            stem = name[:limit].rstrip("_") or name[:limit]

        candidate, n = stem, 1
        while candidate in self:
            n += 1
            suffix = f"_{n}"
            candidate = stem[: limit - len(suffix)] + suffix
        self.take(candidate)
        original = next((old for old, new in self.renamed.items() if new == name), name)
        self.renamed[original] = candidate
        self.reasons.pop(name, None)
        self.reasons[candidate] = reason
        return candidate


_REASON_TOO_LONG = Translated(
    en=f"SPSS and Stata names have at most {MAX_NAME_LENGTH} characters",
    ru=f"имена в SPSS и Stata — не длиннее {MAX_NAME_LENGTH} символов",
)
