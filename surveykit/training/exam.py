"""The exam: a stratified draw from the bank, the attempt as a state object, re-sit rules.

*The draw.* For every module the blueprint (``rules.yaml``, ``exam.blueprint``) says how many items to
draw. Within a module, items are ranked by ``sha256(f"{seed}\\x1f{item_id}")`` and the first ``n`` are
taken: the same seed and bank always give the same exam, on any machine and Python version, and adding
an item to one module never changes the draw of another. Items the trainee saw in earlier attempts are
left out when ``exam.resit_new_items`` is on; if a module has too few unseen items the draw fails with
``BANK_TOO_SMALL`` (for every short module at once).

*The attempt.* :class:`ExamAttempt` is the one mutable object of the package: the state of a sitting,
without widgets, serialisable to a plain JSON dict. Its deadline is fixed at the start
(``started_at + time_limit_minutes``). Answers are saved one by one with the time they were given; the
latest answer to an item counts. An answer at or after the deadline is refused and closes the attempt
(state ``expired``); everything answered before the deadline counts. ``submit`` closes it as
``submitted``. All times must be timezone-aware.

*Re-sits.* A new attempt needs every earlier attempt closed, fewer than ``exam.max_attempts`` attempts
used (``EXAM_NO_ATTEMPTS_LEFT``) and ``exam.resit_wait_hours`` since the last one closed
(``EXAM_RESIT_WAIT``, which names the time a re-sit becomes possible).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from surveykit.errors import ErrorCode, Location, Report, TrainingError, Translated, did_you_mean
from surveykit.training.course import Blueprint, Course, ModuleDraw, QuizItem, Rules
from surveykit.training.grading import AttemptResult, grade_attempt

__all__ = [
    "AnswerRecord",
    "AttemptState",
    "ExamAttempt",
    "check_can_start",
    "draw_exam",
    "next_attempt_at",
    "start_attempt",
]


def _rank(seed: str, item_id: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{item_id}".encode()).hexdigest()


def draw_exam(
    course: Course,
    seed: str | int,
    *,
    exclude: Iterable[str] = (),
    blueprint: Mapping[str, int] | None = None,
    role: str | None = None,
) -> tuple[str, ...]:
    """Item ids of one exam, module by module in course order; reproducible from ``seed``.

    ``role``: whose blueprint (``rules.exam.blueprints``; ``None``: the default role). ``exclude``: item
    ids the trainee has already seen. ``blueprint``: a plan ``{module: n}`` overriding the rules (no
    strata, no tags), for tests and trainers' experiments.

    The draw, per module of the plan: items carrying an excluded tag and seen items are left out; the rest
    are ranked by ``sha256(seed, item id)``; the first ``critical`` critical items and the first
    ``items - critical`` other items are taken (one ranking per stratum, so every exam of a blueprint
    holds exactly the same number of critical items per module). Then each required tag: while the exam
    holds fewer items with the tag than required, the best-ranked unchosen item with the tag replaces the
    last-ranked chosen item of the same module and stratum that lacks it (and is not needed for another
    required tag). A plan the unseen bank cannot fill raises ``BANK_TOO_SMALL`` for every short stratum.
    """
    if blueprint is not None:
        plan = Blueprint(modules={m: ModuleDraw(items=n) for m, n in blueprint.items()})
        where = "blueprint"
    else:
        chosen_role = course.rules.exam.role_of(role)
        plan = course.rules.exam.plan_for(chosen_role)
        where = "blueprint" if chosen_role is None else f"blueprints.{chosen_role}.modules"
    seen = frozenset(exclude)
    text_seed = str(seed)
    report = Report(subject="exam draw")
    for module_id in plan.modules:
        if module_id not in course.module_ids:
            report.add(
                ErrorCode.COURSE_INVALID,
                Location(path=f"rules.exam.{where}.{module_id}"),
                detail=f"the blueprint names module '{module_id}', which does not exist"
                f"{did_you_mean(module_id, course.module_ids)}",
            )

    def ranked(pool: Iterable[QuizItem]) -> list[QuizItem]:
        return sorted(pool, key=lambda item: _rank(text_seed, item.id))

    # stratum key: (module, critical or None) -> items drawn, best-ranked first
    strata: dict[tuple[str, bool | None], list[QuizItem]] = {}
    pools: dict[tuple[str, bool | None], list[QuizItem]] = {}
    for module in course.modules:
        draw = plan.modules.get(module.id)
        if draw is None or draw.items <= 0:
            continue
        pool = [i for i in course.items_of(module.id) if plan.eligible(i) and i.id not in seen]
        if draw.critical is None:
            wanted: list[tuple[bool | None, list[QuizItem], int]] = [(None, pool, draw.items)]
        else:
            wanted = [
                (True, [i for i in pool if i.critical], draw.critical),
                (False, [i for i in pool if not i.critical], draw.items - draw.critical),
            ]
        for critical, stratum, n in wanted:
            if n <= 0:
                continue
            if len(stratum) < n:
                kind = {True: " critical", False: " non-critical", None: ""}[critical]
                report.add(
                    ErrorCode.BANK_TOO_SMALL,
                    Location(path=f"rules.exam.{where}.{module.id}"),
                    module=module.id,
                    available=f"{len(stratum)}{kind}" + (" unseen" if seen else "") if kind or seen else len(stratum),
                    needed=f"{n}{kind}",
                )
                continue
            order = ranked(stratum)
            strata[(module.id, critical)] = order[:n]
            pools[(module.id, critical)] = order[n:]
    report.raise_if_errors(TrainingError)

    for tag, minimum in plan.require_tags.items():
        while sum(tag in i.tags for s in strata.values() for i in s) < minimum:
            if not _swap_in(tag, strata, pools, plan.require_tags, text_seed):
                report.add(
                    ErrorCode.BANK_TOO_SMALL,
                    Location(path=f"rules.exam.{where.rsplit('.', 1)[0]}.require_tags.{tag}"),
                    module=f"(items tagged '{tag}')",
                    available=sum(tag in i.tags for s in (*strata.values(), *pools.values()) for i in s),
                    needed=minimum,
                )
                break
    report.raise_if_errors(TrainingError)
    chosen: list[str] = []
    for module in course.modules:
        drawn = [i for (m, _), s in strata.items() if m == module.id for i in s]
        chosen.extend(i.id for i in ranked(drawn))
    return tuple(chosen)


def _swap_in(
    tag: str,
    strata: dict[tuple[str, bool | None], list[QuizItem]],
    pools: dict[tuple[str, bool | None], list[QuizItem]],
    required: Mapping[str, int],
    seed: str,
) -> bool:
    """Put the best-ranked unchosen item with ``tag`` into the exam in place of a chosen item of its
    stratum that lacks the tag; True if it did."""
    counts = {t: sum(t in i.tags for s in strata.values() for i in s) for t in required}
    candidates = sorted(
        ((key, item) for key, pool in pools.items() for item in pool if tag in item.tags),
        key=lambda pair: _rank(seed, pair[1].id),
    )
    for key, candidate in candidates:
        drawn = strata[key]
        for out in reversed(drawn):  # the last-ranked first
            if tag in out.tags:
                continue
            # never drop below another requirement's minimum
            if any(t in out.tags and t not in candidate.tags and counts[t] <= required[t] for t in required):
                continue
            drawn[drawn.index(out)] = candidate
            pools[key].remove(candidate)
            pools[key].append(out)
            return True
    return False


class AttemptState(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    EXPIRED = "expired"


AnswerValue = str | int | float | list[str] | None


class AnswerRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    value: AnswerValue
    answered_at: AwareDatetime


def _aware(now: datetime, name: str = "now") -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise TrainingError(
            ErrorCode.FIELD_INVALID,
            Location(field=name),
            field=name,
            detail=f"{now!r} is not a timezone-aware date and time",
            fix="Pass datetime.now(timezone.utc) or another aware datetime.",
        )
    return now


class ExamAttempt(BaseModel):
    """One sitting of the exam (see the module docstring for the time rules)."""

    model_config = ConfigDict(extra="forbid")

    attempt_id: str
    person_id: str
    number: int = Field(ge=1)
    course_id: str
    #: the role whose blueprint was drawn (None: the one common plan, or an attempt from before roles)
    role: str | None = None
    seed: str
    item_ids: tuple[str, ...]
    started_at: AwareDatetime
    time_limit_minutes: int = Field(gt=0)
    deadline: AwareDatetime
    state: AttemptState = AttemptState.OPEN
    closed_at: AwareDatetime | None = None
    answers: dict[str, AnswerRecord] = {}

    # -- state ----------------------------------------------------------------------------------------

    def expire_if_due(self, now: datetime) -> bool:
        """Close an open attempt whose time is up (``closed_at`` = the deadline); True if it did."""
        _aware(now)
        if self.state is AttemptState.OPEN and now >= self.deadline:
            self.state = AttemptState.EXPIRED
            self.closed_at = self.deadline
            return True
        return False

    def is_open(self, now: datetime) -> bool:
        self.expire_if_due(now)
        return self.state is AttemptState.OPEN

    def remaining(self, now: datetime) -> timedelta:
        """Time left (zero once closed)."""
        if not self.is_open(now):
            return timedelta(0)
        return self.deadline - now

    def _closed_error(self, fix: Translated) -> TrainingError:
        state = {
            AttemptState.SUBMITTED: Translated(en="already submitted", ru="уже сдана"),
            AttemptState.EXPIRED: Translated(en="closed: the time is up", ru="закрыта: время вышло"),
        }
        return TrainingError(
            ErrorCode.EXAM_CLOSED,
            Location(path=self.attempt_id),
            attempt=self.attempt_id,
            state=state.get(self.state, self.state.value),
            fix=fix,
        )

    def answer(self, item_id: str, value: AnswerValue, now: datetime) -> None:
        """Save an answer (replacing an earlier one to the same item); ``None`` clears it."""
        _aware(now)
        if now < self.started_at:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field="now"),
                field="now",
                detail=f"{now.isoformat()} is before the attempt started ({self.started_at.isoformat()})",
                fix="Check the clock of the device.",
            )
        self.expire_if_due(now)
        if self.state is not AttemptState.OPEN:
            raise self._closed_error(
                Translated(
                    en="Answers given before the deadline are kept; no more answers are accepted.",
                    ru="Ответы, данные до конца времени, сохранены; новые ответы не принимаются.",
                )
            )
        if item_id not in self.item_ids:
            raise TrainingError(
                ErrorCode.ITEM_INVALID,
                Location(path=f"{self.attempt_id}.{item_id}"),
                item=item_id,
                detail=f"not part of attempt {self.attempt_id}{did_you_mean(item_id, self.item_ids)}",
                fix="Answer only the items drawn for this attempt.",
            )
        if isinstance(value, bool) or not (
            value is None
            or isinstance(value, str | int | float)
            or (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value))
        ):
            raise TrainingError(
                ErrorCode.ITEM_INVALID,
                Location(path=f"{self.attempt_id}.{item_id}"),
                item=item_id,
                detail=f"the answer {value!r} is neither an option id, a list of option ids nor a number",
                fix="Pass an option id, a list of option ids, a number or text typed by the trainee.",
            )
        stored = list(value) if isinstance(value, list | tuple) else value
        self.answers[item_id] = AnswerRecord(value=stored, answered_at=now)

    def submit(self, now: datetime) -> None:
        """Hand the attempt in. After the deadline it closes as ``expired`` instead (answers before count)."""
        _aware(now)
        if self.state is not AttemptState.OPEN:
            raise self._closed_error(
                Translated(
                    en="Nothing was changed; the attempt was closed before.",
                    ru="Ничего не изменено: попытка была закрыта раньше.",
                )
            )
        if not self.expire_if_due(now):
            self.state = AttemptState.SUBMITTED
            self.closed_at = now

    # -- results ---------------------------------------------------------------------------------------

    def answer_values(self) -> dict[str, Any]:
        """The answers that count: those given before the deadline."""
        return {k: r.value for k, r in self.answers.items() if r.answered_at < self.deadline}

    def grade(self, course: Course) -> AttemptResult:
        """Grade a closed attempt with the course's items and ``knowledge.multi_select`` rule."""
        if self.state is AttemptState.OPEN:
            raise TrainingError(
                ErrorCode.EXAM_CLOSED,
                Location(path=self.attempt_id),
                attempt=self.attempt_id,
                state=Translated(en="still open", ru="ещё не закрыта"),
                fix=Translated(
                    en=f"Submit it, or grade it after its deadline {self.deadline.isoformat()}.",
                    ru=f"Сдайте её или оцените после окончания срока {self.deadline.isoformat()}.",
                ),
            )
        items = [course.item(item_id) for item_id in self.item_ids]
        return grade_attempt(
            items,
            self.answer_values(),
            multi_select=course.rules.knowledge.multi_select,
            attempt_id=self.attempt_id,
            role=self.role,
        )

    # -- persistence -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON-compatible dict; :meth:`from_dict` restores an equal attempt."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExamAttempt:
        try:
            return cls.model_validate(dict(data))
        except PydanticValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(top)"
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field=field),
                field=field,
                detail=first["msg"],
                fix="The stored attempt is damaged or from another version; restore it from the store's audit log.",
            ) from err


# -- re-sits ---------------------------------------------------------------------------------------------


def _closed(previous: Sequence[ExamAttempt], now: datetime) -> list[ExamAttempt]:
    for attempt in previous:
        attempt.expire_if_due(now)
        if attempt.state is AttemptState.OPEN:
            raise TrainingError(
                ErrorCode.EXAM_CLOSED,
                Location(path=attempt.attempt_id),
                attempt=attempt.attempt_id,
                state=Translated(en="still open", ru="ещё не закрыта"),
                fix=Translated(
                    en=f"Finish and submit it first; its time is up at {attempt.deadline.isoformat()}.",
                    ru=f"Сначала закончите и сдайте её; время выходит {attempt.deadline.isoformat()}.",
                ),
            )
    return list(previous)


def next_attempt_at(previous: Sequence[ExamAttempt], rules: Rules) -> datetime | None:
    """When the next attempt may start, or ``None`` when no attempts are left.

    With no earlier attempt this is ``datetime.min`` (UTC); attempts still open count as closing at their
    deadline.
    """
    if len(previous) >= rules.exam.max_attempts:
        return None
    if not previous:
        return datetime.min.replace(tzinfo=UTC)
    last_closed = max(a.closed_at or a.deadline for a in previous)
    return last_closed + timedelta(hours=rules.exam.resit_wait_hours)


def check_can_start(previous: Sequence[ExamAttempt], rules: Rules, now: datetime) -> None:
    """Raise ``EXAM_CLOSED`` (an attempt still open), ``EXAM_NO_ATTEMPTS_LEFT`` or ``EXAM_RESIT_WAIT``."""
    _aware(now)
    closed = _closed(previous, now)
    allowed = rules.exam.max_attempts
    if len(closed) >= allowed:
        raise TrainingError(ErrorCode.EXAM_NO_ATTEMPTS_LEFT, used=len(closed), allowed=allowed)
    when = next_attempt_at(closed, rules)
    if when is not None and now < when:
        raise TrainingError(
            ErrorCode.EXAM_RESIT_WAIT,
            when=when.isoformat(timespec="minutes"),
            hours=f"{rules.exam.resit_wait_hours:g}",
        )


def start_attempt(
    course: Course,
    person_id: str,
    previous: Sequence[ExamAttempt],
    now: datetime,
    *,
    seed: str | int | None = None,
    attempt_id: str | None = None,
    role: str | None = None,
) -> ExamAttempt:
    """Start a new attempt after checking the re-sit rules; draws items the person has not seen.

    ``previous``: this person's earlier attempts (an open one whose time is up is closed here).
    ``seed``: makes the draw reproducible; a random one is chosen and stored when omitted.
    ``role``: the role the trainee trains for: its blueprint is drawn (``None``: the default role).
    """
    _aware(now)
    others = sorted({a.person_id for a in previous} - {person_id})
    if others:
        raise TrainingError(
            ErrorCode.FIELD_INVALID,
            Location(field="previous"),
            field="previous",
            detail=f"attempts of other persons ({', '.join(others)}) were passed for {person_id}",
            fix="Pass only this person's earlier attempts.",
        )
    check_can_start(previous, course.rules, now)
    exam_rules = course.rules.exam
    chosen_role = exam_rules.role_of(role)
    seen = {item_id for a in previous for item_id in a.item_ids} if exam_rules.resit_new_items else set()
    seed_text = str(seed) if seed is not None else secrets.token_hex(8)
    items = draw_exam(course, seed_text, exclude=seen, role=chosen_role)
    limit = exam_rules.time_limit_for(chosen_role)
    return ExamAttempt(
        attempt_id=attempt_id or uuid.uuid4().hex,
        person_id=person_id,
        number=len(previous) + 1,
        course_id=course.id,
        role=chosen_role,
        seed=seed_text,
        item_ids=items,
        started_at=now,
        time_limit_minutes=limit,
        deadline=now + timedelta(minutes=limit),
    )
