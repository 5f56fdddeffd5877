"""The demo database: a fictional region's institutions, interviewers, fieldwork and a few thousand
interviews, reproducible from a seed (``surveykit demo build``).

What it contains (full size): 24 institutions of four types in five municipalities with their numbers of
service recipients; 12 certified interviewers, a supervisor, a sociologist and a trainer; sample targets and
assignments for two periods (2025 and 2026); a contact history of every case with AAPOR outcomes (refusals,
non-contacts, appointments, some still pending) so that response rates are not 100 %;
about 3,000 recipient-survey interviews whose answers depend on each institution's (hidden) quality, so
that ratings differ in a believable way; the website/stand audit and the premises checklist of every
institution in both periods; staff surveys and individual needs assessments; open suggestions of which a
sociologist approved some for publication; a few unfinished drafts to resume; a training cohort. The
``small`` size (for tests and notebooks) has the same shape with fewer rows.

Everything goes through the store's public API and the same validation as real data: the demo is also
an end-to-end check of the workbench.

Demo sign-in: every demo person's access code is ``DEMO_ACCESS_CODE`` (``2468``); logins are listed by
``surveykit demo build`` and in the README. Demo only: real deployments set personal codes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from surveykit.config import settings
from surveykit.questionnaire.io import load_questionnaire
from surveykit.synthetic import sequential_times, synthesize

__all__ = ["DEMO_ACCESS_CODE", "DemoSummary", "build_demo"]

DEMO_ACCESS_CODE = "2468"
QUESTIONNAIRES = (
    "recipient_survey",
    "website_audit",
    "premises_checklist",
    "staff_survey",
    "needs_assessment",
    "example_all_types",
)
PERIODS = ("2025", "2026")
REGION = "Приречная область"

MUNICIPALITIES = ("г. Заречье", "г. Светлогорск", "Лесной район", "Степной район", "Озёрный район")
TYPES = {
    "kcson": "Комплексный центр социального обслуживания населения",
    "residential": "Пансионат для граждан пожилого возраста и инвалидов",
    "rehab": "Реабилитационный центр для инвалидов",
    "family": "Центр социальной помощи семье и детям",
}
_SHORT = {
    "kcson": "КЦСОН",
    "residential": "Пансионат",
    "rehab": "Реабилитационный центр",
    "family": "Центр помощи семье",
}

INTERVIEWERS = (
    ("anna", "Анна Смирнова"),
    ("boris", "Борис Кузнецов"),
    ("vera", "Вера Попова"),
    ("grigory", "Григорий Васильев"),
    ("darya", "Дарья Петрова"),
    ("egor", "Егор Соколов"),
    ("zhanna", "Жанна Михайлова"),
    ("ivan", "Иван Новиков"),
    ("kira", "Кира Фёдорова"),
    ("lev", "Лев Морозов"),
    ("maria", "Мария Волкова"),
    ("nikolay", "Николай Алексеев"),
)
STAFF = (
    ("olga", "Ольга Лебедева", ("supervisor",)),
    ("pavel", "Павел Семёнов", ("sociologist",)),
    ("raisa", "Раиса Егорова", ("trainer",)),
    ("admin", "Алексей Администраторов", ("administrator",)),
    ("council", "Светлана Общественная", ("council",)),
)
TRAINEES = tuple(
    (f"trainee{i:02d}", name)
    for i, name in enumerate(
        (
            "Светлана Павлова",
            "Тимур Козлов",
            "Ульяна Степанова",
            "Фёдор Николаев",
            "Харитон Орлов",
            "Цветана Андреева",
            "Чеслав Макаров",
            "Шамиль Никитин",
            "Эльвира Захарова",
            "Юлия Зайцева",
        ),
        start=1,
    )
)

SUGGESTIONS = (
    "Хотелось бы, чтобы социальный работник приходил чаще.",
    "Нужен пандус у второго входа.",
    "Сделайте, пожалуйста, крупный шрифт на информационном стенде.",
    "Всё устраивает, спасибо сотрудникам!",
    "Трудно дозвониться по телефону в обеденное время.",
    "Не хватает кулера с питьевой водой в зале ожидания.",
    "Хорошо бы проводить больше занятий лечебной физкультурой.",
    "На сайте трудно найти расписание.",
    "Просим продлить часы работы в субботу.",
    "Благодарю за внимательное отношение.",
)


@dataclass
class DemoSummary:
    database: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)  # login -> role

    def lines(self) -> list[str]:
        out = [f"demo database {self.database} (seed {self.seed})"]
        out += [f"  {name}: {count}" for name, count in self.counts.items()]
        out.append(f"  sign in with any of these logins and the access code {DEMO_ACCESS_CODE}:")
        out += [f"    {login:<10} {role}" for login, role in self.logins.items()]
        return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _yes_no(p_yes: np.ndarray, dk: float = 0.0) -> Callable[[np.ndarray, np.random.Generator], np.ndarray]:
    """Tilt for a yes/no(/dk) question: probabilities per row for the list order yes, no[, dk]."""

    def tilt(latent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        yes = np.clip(p_yes, 0.01, 0.99) * (1 - dk)
        columns = [yes, (1 - dk) - yes] + ([np.full_like(yes, dk)] if dk else [])
        return np.column_stack(columns)

    return tilt


#: where each trainee of the demo cohort stands, in the order of :data:`TRAINEES` (the small demo keeps the
#: first four): the trainer's batch issues the certificates of ``to_certify``; the others show why not
TRAINEE_STORY = (
    "ready_for_exam",  # trainee01: every lesson and the mock interview done; sign in to the exam app
    "to_certify",  # trainee02: exam passed, every rule met, no certificate yet
    "part_way",  # trainee03: six modules of ten
    "failed_once",  # trainee04: exam failed, the re-sit is open
    "to_certify",
    "part_way",
    "ready_for_exam",
    "to_certify",
    "part_way",
    "ready_for_exam",
)
STAGE_NAMES = {
    "ready_for_exam": "ready for the exam",
    "to_certify": "exam passed, certificate to issue",
    "part_way": "part way through the lessons",
    "failed_once": "exam failed once, re-sit open",
}


class _DemoClock:
    """The training service's clock in the demo: the course's dates, moved on by the story."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def _exam_answer(item, *, correct: bool):
    """A demo trainee's answer to a bank item: the key, or a wrong option that is not harmful where the item
    has one (a number far off)."""
    if item.answer_kind == "numeric":
        return str(item.answer if correct else float(item.answer) + 1000)
    if correct:
        return sorted(item.key_set) if item.answer_kind == "multi" else item.answer
    wrong = [o for o in item.option_ids if o not in item.key_set]
    wrong.sort(key=lambda o: o in item.harmful_ids)  # a plain mistake first, not a critical error
    return wrong[:1] if item.answer_kind == "multi" else wrong[0]


#: with ``plant_falsifiers``: who falsifies in the current period, and how (see surveykit.synthetic)
PLANTED = {"boris": "filter_avoider", "vera": "too_fast"}
#: with ``plant_falsifiers``: who misreports the outcome of contacts in the current period ("nobody at
#: home" for respondents never visited: AAPOR/ASA falsification; surveykit.quality.dispositions)
PLANTED_CONTACTS = {"darya": "non_contact"}


class _Builder:
    def __init__(
        self,
        store,
        seed: int,
        size: str,
        progress: Callable[[str], None] | None,
        plant_falsifiers: bool = False,
        quality_control: bool = True,
    ) -> None:
        self.store = store
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.plant = plant_falsifiers
        self.run_quality_control = quality_control
        self.timing_rng = np.random.default_rng(seed + 1)  # times and planting: the answers stay the same
        self.small = size == "small"
        self.progress = progress or (lambda message: None)
        self.summary = DemoSummary(database=store.url, seed=seed)
        self.questionnaires = {}
        self.institutions: list[dict[str, str]] = []
        self.quality: dict[str, float] = {}
        self.assignment_of: dict[tuple[str, str], str] = {}  # (institution, period) -> interviewer
        self.targets: dict[tuple[str, str], int] = {}  # (institution, period) -> target number

    def uuid(self) -> str:
        return str(uuid.UUID(bytes=self.rng.bytes(16), version=4))

    # --- reference data ------------------------------------------------------------------------------------------
    def publish(self) -> None:
        folder = settings().questionnaires_dir
        for qid in QUESTIONNAIRES:
            q = load_questionnaire(folder / f"{qid}.yaml")
            self.store.publish(q, by="demo")
            self.questionnaires[qid] = q
        self.summary.counts["questionnaires"] = len(self.questionnaires)

    def add_institutions(self) -> None:
        n = 8 if self.small else 24
        kinds = list(TYPES)
        seen: dict[tuple[str, str], int] = {}
        for i in range(n):
            kind = kinds[i % len(kinds)]
            municipality = MUNICIPALITIES[i % len(MUNICIPALITIES)]
            number = seen[(kind, municipality)] = seen.get((kind, municipality), 0) + 1
            place = municipality.replace("г. ", "")
            name = f"{_SHORT[kind]} «{place}»" + (f" № {number}" if number > 1 else "")
            institution_id = f"inst{i + 1:02d}"
            site = f"https://{kind}-{i + 1:02d}.example.org"
            self.store.add_institution(
                institution_id,
                name,
                type=kind,
                region=REGION,
                municipality=municipality,
                address=f"{municipality}, ул. Садовая, {10 + i}",
                website=site,
                by="demo",
            )
            self.institutions.append({"id": institution_id, "type": kind, "municipality": municipality})
            # hidden quality: most institutions are good, a few need improvement
            self.quality[institution_id] = float(np.clip(self.rng.beta(5, 2), 0.05, 0.98))
        self.summary.counts["institutions"] = n
        # where trainees' practice interviews are filed: its type is not rated (institution_types.yaml), so
        # it never appears in the council's rating, dashboard, workbook or reports
        from surveykit.training.service import PRACTICE_INSTITUTION, PRACTICE_NAME

        self.store.add_institution(PRACTICE_INSTITUTION, PRACTICE_NAME, type="practice", by="demo")

    def add_people(self) -> None:
        for login, name in INTERVIEWERS[: 6 if self.small else None]:
            self.store.add_person(
                login, name, ("interviewer",), login=login, access_code=DEMO_ACCESS_CODE, by="demo"
            )
            self.summary.logins[login] = "interviewer (certified)"
        for login, name, roles in STAFF:
            self.store.add_person(login, name, roles, login=login, access_code=DEMO_ACCESS_CODE, by="demo")
            self.summary.logins[login] = ", ".join(roles)
        for login, name in TRAINEES[: 4 if self.small else None]:
            self.store.add_person(
                login, name, ("trainee",), login=login, access_code=DEMO_ACCESS_CODE, by="demo"
            )
        self.interviewers = [login for login, _ in INTERVIEWERS[: 6 if self.small else None]]

    def certify(self) -> None:
        """Sign a real certificate for every demo interviewer (key in data/keys, created if missing)."""
        from surveykit.certificates import generate_key, issue_certificate, load_key, load_template
        from surveykit.certificates.model import Holder

        key_path = settings().signing_key
        key = load_key(key_path) if key_path.exists() else generate_key(key_path)
        template = load_template("interviewer")
        issued = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)
        for login in self.interviewers:
            person = self.store.person(login)
            holder = Holder(
                name=person.display_name, roles=("questionnaire_taker", "interviewer"), person_id=login
            )
            cert = issue_certificate(holder, template, key, now=issued)
            self.store.training.add_certificate(
                cert.serial,
                login,
                [role.code for role in cert.roles],
                issued_at=cert.valid_from,
                valid_until=cert.valid_until,
                record=cert.record,
                by="demo",
            )
        self.summary.counts["certificates"] = len(self.interviewers)

    def assign(self) -> None:
        for period in PERIODS:
            for i, inst in enumerate(self.institutions):
                interviewer = self.interviewers[(i + PERIODS.index(period)) % len(self.interviewers)]
                target = 12 if self.small else int(self.rng.integers(45, 90))
                self.store.assign(interviewer, inst["id"], "recipient_survey", period, target, by="demo")
                self.assignment_of[(inst["id"], period)] = interviewer
                self.targets[(inst["id"], period)] = target
        self.summary.counts["assignments"] = len(self.assignment_of)

    # --- interviews ------------------------------------------------------------------------------------------------
    def _meta(
        self,
        n: int,
        institution: str,
        period: str,
        interviewer: str,
        modes: tuple[str, ...],
        mode_p: tuple[float, ...],
    ) -> pd.DataFrame:
        year = int(period)
        start = dt.datetime(year, 3, 1, 9, 0)
        days = self.rng.integers(0, 200, n)
        minutes = self.rng.integers(0, 8 * 60, n)
        started = [
            start + dt.timedelta(days=int(d), minutes=int(m)) for d, m in zip(days, minutes, strict=True)
        ]
        durations = self.rng.gamma(6.0, 2.2, n) + 4
        submitted = [s + dt.timedelta(minutes=float(x)) for s, x in zip(started, durations, strict=True)]
        return pd.DataFrame(
            {
                "interview_id": [self.uuid() for _ in range(n)],
                "institution_id": institution,
                "interviewer_id": interviewer,
                "period": period,
                "mode": self.rng.choice(modes, size=n, p=mode_p),
                "language": "ru",
                "started_at": started,
                "submitted_at": submitted,
                "status": self.rng.choice(["submitted", "approved"], size=n, p=[0.3, 0.7]),
            }
        )

    def recipients(self) -> None:
        q = self.questionnaires["recipient_survey"]
        frames = []
        # item "difficulty": satisfaction items differ in how easily they earn a "yes"
        ease = {
            f"q{i}": e
            for i, e in zip(
                (2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15),
                (1.6, 1.0, 1.3, 1.5, 0.6, 2.2, 2.4, 1.8, 1.7, 1.4, 1.9),
                strict=True,
            )
        }
        for period in PERIODS:
            drift = 0.15 if period == PERIODS[-1] else 0.0  # things got a little better
            for inst in self.institutions:
                iid = inst["id"]
                interviewer = self.assignment_of[(iid, period)]
                # the earlier period is complete, the current one in progress (a few refusals come off)
                target = self.targets[(iid, period)]
                n = target if period != PERIODS[-1] else max(5, int(target * self.rng.uniform(0.55, 0.9)))
                quality = self.quality[iid] + drift
                latent = np.clip(quality + self.rng.normal(0, 0.15, n), 0, 1)
                tilts = {
                    "consent": _yes_no(np.full(n, 0.97)),
                    "proxy_respondent": _yes_no(np.full(n, 0.12)),
                    "q1": _yes_no(np.full(n, 0.72)),
                    "q3": _yes_no(np.full(n, 0.38 if inst["type"] != "residential" else 0.22)),
                    "q7": _yes_no(np.full(n, 0.55 if inst["type"] in ("rehab", "residential") else 0.22)),
                    "q11": _yes_no(np.full(n, 0.33)),
                }
                planted = PLANTED.get(interviewer) if self.plant and period == PERIODS[-1] else None
                if planted == "filter_avoider":  # "no" to the filters skips the follow-up questions
                    tilts.update({code: _yes_no(np.full(n, 0.08)) for code in ("q1", "q3", "q7", "q11")})
                tilts |= {
                    "q16": lambda latent, rng: np.where(
                        rng.random(len(latent)) < 0.3, rng.choice(SUGGESTIONS, len(latent)), None
                    ),
                    "service_form": lambda latent, rng, kind=inst["type"]: np.full(
                        len(latent),
                        {"residential": "stationary", "rehab": "semi_stationary"}.get(kind, "home"),
                        dtype=object,
                    ),
                }
                for code, e in ease.items():
                    tilts[code] = _yes_no(_sigmoid(3.2 * (latent - 0.5) + e), dk=0.03)
                synthetic = synthesize(
                    q, n, self.rng, latent=latent, tilts=tilts, today=dt.date(int(period), 10, 1)
                )
                meta = self._meta(n, iid, period, interviewer, ("face_to_face", "telephone"), (0.8, 0.2))
                if planted == "too_fast":  # 3-5 minutes where the others take a quarter of an hour
                    seconds = self.timing_rng.integers(180, 300, n)
                    meta["submitted_at"] = meta["started_at"] + pd.to_timedelta(seconds, unit="s")
                meta["proxy"] = synthetic.data["proxy_respondent"].astype(object).eq("yes").to_numpy()
                frames.append(pd.concat([meta, synthetic.data.reset_index(drop=True)], axis=1))
        data = pd.concat(frames, ignore_index=True)
        data = data[data["consent"].astype(object) == "yes"].reset_index(
            drop=True
        )  # refusals are not interviews
        # one interviewer's interviews of a day follow one another (drawn one by one, they would overlap)
        data["started_at"], data["submitted_at"] = sequential_times(
            data["started_at"], data["submitted_at"], data["interviewer_id"], self.timing_rng
        )
        if self.plant:
            self.summary.counts["planted falsifiers"] = len(PLANTED)
        self._import("recipient_survey", data)
        self.summary.counts["recipient interviews"] = len(data)
        self.recipient_data = data

    def contacts(self) -> None:
        """The register's recipient counts, the sample targets, and a contact history for every case: each
        interview after 0-2 failed attempts or an appointment, plus refusals (more where the institution is
        worse), non-contacts, unable and ineligible respondents, and in the current period appointments still
        pending (due soon or overdue: the interview app shows them as reminders). Its own random numbers:
        the answers of the other steps stay as they were."""
        from dataclasses import replace

        from surveykit.fieldwork import dispositions as D
        from surveykit.scoring import load_profile
        from surveykit.store.fieldwork import SampleTarget

        rng = np.random.default_rng(self.seed + 15)
        rule = load_profile().sample
        recipients = {}
        records = []
        for inst in self.institutions:
            target = self.targets[(inst["id"], PERIODS[-1])]
            recipients[inst["id"]] = int(
                round(target / (rule.share_of_recipients or 0.4) * rng.uniform(0.95, 1.2))
            )
            records.append(replace(self.store.institution(inst["id"]), recipients=recipients[inst["id"]]))
        self.store.fieldwork.update_register(records, by="demo")
        targets = []
        for (iid, period), target in self.targets.items():
            by_rule = rule.required(recipients[iid])
            override = target if target != by_rule else None
            targets.append(SampleTarget(period, "recipient_survey", iid, recipients[iid], by_rule, override, target,
                                        load_profile().id))  # fmt: skip
        self.store.fieldwork.set_targets(targets, by="demo")
        assignment_ids = {(a.institution_id, a.period): a.id for a in self.store.assignments()}
        now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        cases: list[dict] = []
        attempts: list[dict] = []
        numbers: dict[tuple[str, str], int] = {}

        def case(iid: str, period: str, interviewer: str, interview: str | None = None) -> tuple[str, str]:
            numbers[(iid, period)] = numbers.get((iid, period), 0) + 1
            code = f"{iid}-{numbers[(iid, period)]:03d}"
            cases.append({"code": code, "period": period, "institution_id": iid, "questionnaire_id": "recipient_survey",
                          "interviewer_id": interviewer, "assignment_id": assignment_ids.get((iid, period)),
                          "interview_id": interview, "source": "demo"})  # fmt: skip
            return code, period

        def attempt(key: tuple[str, str], when: dt.datetime, mode: str, interviewer: str, code: str,
                    appointment: dt.datetime | None = None, interview: str | None = None) -> None:  # fmt: skip
            attempts.append({"code": key[0], "period": key[1], "attempted_at": min(when, now), "mode": mode,
                             "interviewer_id": interviewer, "disposition": code, "appointment_at": appointment,
                             "interview_id": interview, "source": "demo"})  # fmt: skip

        def not_reached(mode: str) -> str:
            return str(rng.choice(D.codes_for("non_contact", mode)))

        data = self.recipient_data.sort_values("started_at")
        for row in data.itertuples():
            key = case(row.institution_id, row.period, row.interviewer_id, row.interview_id)
            done = pd.Timestamp(row.submitted_at).to_pydatetime().replace(tzinfo=dt.UTC)
            before = int(rng.choice([0, 1, 2], p=[0.72, 0.2, 0.08]))
            for k in range(before, 0, -1):
                attempt(key, done - dt.timedelta(days=k * 2, hours=int(rng.integers(1, 6))), row.mode,
                        row.interviewer_id, not_reached(row.mode))  # fmt: skip
            if rng.random() < 0.07:  # agreed on a time, then interviewed
                agreed = done - dt.timedelta(days=1, hours=3)
                attempt(key, agreed, row.mode, row.interviewer_id, D.codes_for("appointment", row.mode)[0],
                        appointment=done - dt.timedelta(minutes=5))  # fmt: skip
            attempt(key, done, row.mode, row.interviewer_id, "1.1", interview=row.interview_id)
        planted = 0
        for (iid, period), interviewer in self.assignment_of.items():
            n = int((data["institution_id"].eq(iid) & data["period"].eq(period)).sum())
            year_start = dt.datetime(int(period), 3, 2, 10, 0, tzinfo=dt.UTC)
            quality = self.quality[iid]
            current = period == PERIODS[-1]
            counts = {
                "refusal": rng.binomial(n, 0.06 + 0.14 * (1 - quality)),
                "non_contact": rng.binomial(n, 0.05),
                "unable": rng.binomial(n, 0.02),
                "not_eligible": rng.binomial(n, 0.03),
            }
            if self.plant and current and PLANTED_CONTACTS.get(interviewer) == "non_contact":
                counts["non_contact"] += max(8, n // 2)  # "nobody at home" for people never visited
                planted += 1
            for outcome, count in counts.items():
                for _ in range(int(count)):
                    mode = "telephone" if rng.random() < 0.2 else "face_to_face"
                    key = case(iid, period, interviewer)
                    when = year_start + dt.timedelta(
                        days=int(rng.integers(0, 190)), hours=int(rng.integers(0, 8))
                    )
                    if outcome == "refusal" and rng.random() < 0.3:  # not reached first, refused later
                        attempt(key, when - dt.timedelta(days=3), mode, interviewer, not_reached(mode))
                    attempt(key, when, mode, interviewer, str(rng.choice(D.codes_for(outcome, mode))))
                    if outcome == "refusal" and rng.random() < 0.15:  # a later call nobody answered
                        attempt(key, when + dt.timedelta(days=4), mode, interviewer, not_reached(mode))
            if current:  # appointments still to keep, in working hours: one overdue, one tomorrow, one later
                today = now.replace(hour=0, minute=0)
                slots = (
                    today - dt.timedelta(days=1) + dt.timedelta(hours=15),
                    today + dt.timedelta(days=1, hours=int(rng.integers(9, 13)), minutes=30),
                    today + dt.timedelta(days=int(rng.integers(2, 5)), hours=int(rng.integers(13, 18))),
                )
                for k, when in enumerate(slots):
                    mode = "telephone" if k == 2 else "face_to_face"
                    key = case(iid, period, interviewer)
                    made = today - dt.timedelta(days=2) + dt.timedelta(hours=11)
                    appointment = D.codes_for("appointment", mode)[0]
                    attempt(key, made, mode, interviewer, appointment, appointment=when)
        loaded_cases, loaded_attempts = self.store.fieldwork.load_history(cases, attempts, by="demo")
        self.summary.counts["contact cases"] = loaded_cases
        self.summary.counts["contact attempts"] = loaded_attempts
        if planted:
            self.summary.counts["planted misreported contacts"] = len(PLANTED_CONTACTS)

    def checklists(self) -> None:
        for qid in ("website_audit", "premises_checklist"):
            q = self.questionnaires[qid]
            frames = []
            for period in PERIODS:
                for inst in self.institutions:
                    quality = self.quality[inst["id"]] + (0.1 if period == PERIODS[-1] else 0.0)
                    latent = np.array([quality])
                    tilts = self._checklist_tilts(q, inst, quality)
                    synthetic = synthesize(
                        q, 1, self.rng, latent=latent, tilts=tilts, today=dt.date(int(period), 5, 1)
                    )
                    meta = self._meta(
                        1,
                        inst["id"],
                        period,
                        self.assignment_of[(inst["id"], period)],
                        ("observation",),
                        (1.0,),
                    )
                    frames.append(pd.concat([meta, synthetic.data.reset_index(drop=True)], axis=1))
            data = pd.concat(frames, ignore_index=True)
            self._import(qid, data)
            self.summary.counts[qid.replace("_", " ")] = len(data)

    def _checklist_tilts(self, q, inst: dict[str, str], quality: float) -> dict:
        tilts: dict[str, Callable] = {}
        site = f"https://{inst['type']}-{inst['id'][4:]}.example.org"
        for question in q.questions():
            code = question.code
            names = (
                [c.name for c in q.choice_list(question.choice_list_name)]
                if question.choice_list_name
                else []
            )
            if set(names) >= {"present", "absent"}:  # status4: present, outdated, absent, not_applicable
                p = np.clip(quality, 0.05, 0.97)
                probs = {"present": p * 0.9, "outdated": p * 0.1, "absent": 1 - p, "not_applicable": 0.0}
                if code.startswith("stand_") and code[-2:] not in ("01", "03", "08", "12", "14", "15"):
                    probs = {"present": 0.0, "outdated": 0.0, "absent": 0.0, "not_applicable": 1.0}
                row = np.array([[probs.get(n, 0.0) for n in names]])
                tilts[code] = lambda latent, rng, row=row: row
            elif set(names) >= {"functioning", "not_functioning"}:
                p = np.clip(quality, 0.05, 0.95)
                probs = {"functioning": p, "not_functioning": (1 - p) * 0.5, "absent": (1 - p) * 0.5}
                row = np.array([[probs.get(n, 0.0) for n in names]])
                tilts[code] = lambda latent, rng, row=row: row
            elif question.type.value == "yes_no":
                p = np.clip(quality - (0.25 if code.startswith(("acc_", "svc_")) else 0.0), 0.05, 0.95)
                tilts[code] = _yes_no(np.array([p]))
            elif question.type.value == "text":
                if code.endswith("_ev") or code == "site_url":
                    tilts[code] = lambda latent, rng, site=site, code=code: np.array(
                        [f"{site}/{code}"], dtype=object
                    )
                elif code.endswith("_log"):
                    tilts[code] = lambda latent, rng: np.array(
                        ["12.03: звонок в 10:15 — ответили; 13.03: звонок в 15:40 — ответили"], dtype=object
                    )
                elif code.endswith("_photo"):
                    tilts[code] = lambda latent, rng, code=code: np.array(
                        [f"IMG_{code.upper()}.jpg"], dtype=object
                    )
        return tilts

    def staff(self) -> None:
        q = self.questionnaires["staff_survey"]
        frames = []
        period = PERIODS[-1]
        for inst in self.institutions:
            n = 6 if self.small else int(self.rng.integers(8, 16))
            latent = np.clip(self.quality[inst["id"]] + self.rng.normal(0, 0.2, n), 0, 1)
            tilts: dict[str, Callable] = {"consent": _yes_no(np.full(n, 1.0))}
            for question in q.questions():
                if question.type.value == "likert":
                    names = [c.name for c in q.choice_list(question.choice_list_name)]
                    points = [
                        n
                        for n in names
                        if not any(
                            c.name == n and c.missing for c in q.choice_list(question.choice_list_name)
                        )
                    ]
                    reverse = any(question.code in s.reverse for s in q.scales.values())

                    def tilt(latent, rng, names=names, points=points, reverse=reverse):
                        k = len(points)
                        centre = (1 - latent if reverse else latent) * (k - 1)
                        idx = np.clip(np.rint(centre + rng.normal(0, 0.9, len(latent))), 0, k - 1).astype(int)
                        chosen = np.array(points, dtype=object)[idx]
                        dk = rng.random(len(latent)) < 0.03
                        missing = [n for n in names if n not in points]
                        if missing:
                            chosen[dk] = missing[0]
                        return chosen

                    tilts[question.code] = tilt
            synthetic = synthesize(
                q, n, self.rng, latent=latent, tilts=tilts, today=dt.date(int(period), 6, 1)
            )
            meta = self._meta(
                n, inst["id"], period, self.assignment_of[(inst["id"], period)], ("self_completed",), (1.0,)
            )
            frames.append(pd.concat([meta, synthetic.data.reset_index(drop=True)], axis=1))
        data = pd.concat(frames, ignore_index=True)
        self._import("staff_survey", data)
        self.summary.counts["staff survey responses"] = len(data)

    def needs(self) -> None:
        q = self.questionnaires["needs_assessment"]
        n = 10 if self.small else 40
        tilts = {
            "case_code": lambda latent, rng: np.array(
                [f"NA-2026-{i + 1:04d}" for i in range(len(latent))], dtype=object
            ),
            "assessor_conclusion": lambda latent, rng: np.array(
                ["Нуждается в помощи на дому 3 раза в неделю; рекомендована доставка продуктов."]
                * len(latent),
                dtype=object,
            ),
        }
        synthetic = synthesize(q, n, self.rng, tilts=tilts, today=dt.date(2026, 4, 1))
        frames = []
        for i in range(n):
            inst = self.institutions[i % len(self.institutions)]
            frames.append(
                self._meta(
                    1,
                    inst["id"],
                    PERIODS[-1],
                    self.assignment_of[(inst["id"], PERIODS[-1])],
                    ("face_to_face",),
                    (1.0,),
                )
            )
        meta = pd.concat(frames, ignore_index=True)
        data = pd.concat([meta, synthetic.data.reset_index(drop=True)], axis=1)
        self._import("needs_assessment", data, repeats=synthetic.repeats)
        self.summary.counts["needs assessments"] = len(data)

    def _import(self, qid: str, data: pd.DataFrame, repeats: dict[str, pd.DataFrame] | None = None) -> None:
        """Through the store's validated bulk import: a demo row the engine rejects stops the build."""
        result = self.store.import_frame(data, qid, repeats=repeats, by="demo")
        self.progress(f"{qid}: {result.imported} interviews")

    # --- the rest of the story -----------------------------------------------------------------------------------
    def reviews(self) -> None:
        answered = self.recipient_data[self.recipient_data["q16"].notna()]
        approved = 0
        for row in answered.itertuples():
            status = "approved" if self.rng.random() < 0.6 else "pending"
            self.store.reviews.review(
                row.interview_id,
                "q16",
                status,
                published_text=row.q16 if status == "approved" else None,
                reviewer_id="pavel",
            )
            approved += status == "approved"
        self.summary.counts["approved suggestions"] = approved

    def drafts(self) -> None:
        """Two unfinished interviews for the first interviewer, to show how resuming works."""
        login = self.interviewers[0]
        for assignment in self.store.assignments(interviewer_id=login)[:2]:
            meta = self.store.start_interview(
                "recipient_survey",
                institution_id=assignment.institution_id,
                interviewer_id=login,
                mode="face_to_face",
                language="ru",
                period=assignment.period,
                assignment_id=assignment.id,
                by="demo",
            )
            self.store.save_draft(
                meta.id,
                {"consent": "yes", "proxy_respondent": "no", "q1": "yes", "q2": "yes"},
                page="information",
                by="demo",
            )
            case = self.store.fieldwork.new_case(
                assignment.period, assignment.institution_id, questionnaire_id="recipient_survey",
                interviewer_id=login, assignment_id=assignment.id, source="demo", by="demo",
            )  # fmt: skip
            self.store.fieldwork.link_interview(case.id, meta.id, by="demo")
        self.summary.counts["drafts"] = 2

    def training(self) -> None:
        """A cohort at every stage (:data:`TRAINEE_STORY`): part way through the lessons, ready for the exam,
        failed once and waiting for the re-sit, and passed with every requirement met but no certificate yet,
        so that the trainer's batch issues one. Everything through the training service and the course's
        rules (questionnaires/training/rules.yaml), on the course's dates in March 2026."""
        from surveykit.training.service import TrainingService

        cohort = "cohort-2026-spring"
        trainees = [login for login, _ in TRAINEES[: 4 if self.small else None]]
        self.store.training.create_cohort(cohort, "Весенний набор 2026", by="raisa")
        self.store.training.add_cohort_members(cohort, trainees, by="raisa")
        clock = _DemoClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
        service = TrainingService(self.store, clock=clock)
        modules = service.course.modules
        theory, practice = modules[:-1], modules[-1:]  # the exam after the lessons, then the practice module

        def attend(login: str, attended) -> None:
            for module in attended:
                day = dt.date(2026, 3, 2 + service.course.module_ids.index(module.id))
                service.record_attendance(login, module.id, module.hours, day, by="raisa")

        def mock(login: str) -> None:
            clock.now = dt.datetime(2026, 3, 13, 15, 0, tzinfo=dt.UTC)
            service.record_mock(login, {i.id: 2 for i in service.course.checklist.items}, trainer_id="raisa")

        def exam(login: str, share_right: float) -> None:
            clock.now = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)
            attempt = service.start_exam(login, seed=f"demo-{login}")
            items = [service.course.item(i) for i in attempt.item_ids]
            right = round(len(items) * share_right)
            for n, item in enumerate(items):
                clock.now += dt.timedelta(minutes=1)
                service.save_answer(attempt.attempt_id, item.id, _exam_answer(item, correct=n < right))
            service.submit_exam(attempt.attempt_id)

        story = {}
        for login, stage in zip(trainees, TRAINEE_STORY, strict=False):
            story[login] = stage
            if stage == "part_way":
                attend(login, modules[:6])
            elif stage == "ready_for_exam":
                attend(login, modules)
                mock(login)
            elif stage == "failed_once":
                attend(login, modules)
                mock(login)
                exam(login, 0.6)
            elif stage == "to_certify":
                # the exam after the lessons (the practice module still to come: no certificate yet), then
                # the practice module and its mock interview: every rule met, the trainer's batch issues
                attend(login, theory)
                exam(login, 1.0)
                attend(login, practice)
                mock(login)
        self.summary.counts["trainees"] = len(trainees)
        for stage in dict.fromkeys(TRAINEE_STORY):
            who = [login for login, s in story.items() if s == stage]
            if who:
                self.summary.counts[f"trainees {STAGE_NAMES[stage]}"] = len(who)
                self.summary.logins.update({login: f"trainee, {STAGE_NAMES[stage]}" for login in who})

    def quality_control(self) -> None:
        """The checks of the recipient survey, a case for every flag and the back-check queue (methodology
        D.2-D.4), as a supervisor would start them: the quality-control view opens on real cases."""
        from surveykit import casework
        from surveykit.access import OPERATOR

        if not self.run_quality_control:
            return
        run = casework.run_qc(self.store, "recipient_survey", actor=OPERATOR)
        self.summary.counts["quality-control cases"] = run.cases_opened
        self.summary.counts["back-checks queued"] = sum(run.queued.values())

    def build(self) -> DemoSummary:
        steps = (
            ("questionnaires", self.publish),
            ("institutions", self.add_institutions),
            ("people", self.add_people),
            ("certificates", self.certify),
            ("assignments", self.assign),
            ("recipient survey", self.recipients),
            ("contacts", self.contacts),
            ("audits and checklists", self.checklists),
            ("staff survey", self.staff),
            ("needs assessments", self.needs),
            ("open answers", self.reviews),
            ("drafts", self.drafts),
            ("training", self.training),
            ("quality control", self.quality_control),
        )
        for name, step in steps:
            self.progress(f"building {name} ...")
            step()
        return self.summary


def build_demo(
    url: str | None = None,
    *,
    seed: int = 2026,
    size: str = "full",
    progress: Callable[[str], None] | None = None,
    plant_falsifiers: bool = False,
    quality_control: bool = True,
) -> DemoSummary:
    """Create (upgrade) the database at ``url`` (default: the configured one) and fill it with demo data.
    The database must be empty of demo data: run on a fresh file (``surveykit demo build --fresh``).
    ``plant_falsifiers``: in the current period boris answers the filter questions "no" (skipping the
    follow-ups) and vera's interviews take 3-5 minutes (:data:`PLANTED`), so the quality checks have
    something to find. ``quality_control``: run the checks and open their cases at the end, as a supervisor
    would (off: the quality-control workflow starts from nothing, as in its tests)."""
    from surveykit.store import Store

    Store.upgrade(url)
    with Store.open(url, enforce_certification=False) as store:
        return _Builder(store, seed, size, progress, plant_falsifiers, quality_control).build()


def demo_exists(url: str | None = None) -> bool:
    """Whether the database already holds the demo (its institutions)."""
    from surveykit.store import Store

    try:
        with Store.open(url) as store:
            return any(i.id == "inst01" for i in store.institutions())
    except Exception:
        return False


def default_database_file() -> Path | None:
    url = settings().database_url
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
