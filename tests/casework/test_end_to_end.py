"""The whole workflow on the demo data: flags → cases → review → back-check → full falsification →
certificate suspended → every interview of the interviewer queued → the rating recomputed without the fakes
(the effect table shows the change) → lifting the exclusions restores the original rating."""

from __future__ import annotations

import pandas as pd

from surveykit import casework as cw
from surveykit.certificates.registry_store import StoreRegistry
from surveykit.dashboard.sources import StoreSource
from surveykit.scoring import DEFAULT_PROFILE
from surveykit.scoring.profile import load_profile
from surveykit.scoring.rating import rate

FORM_NO_INTERVIEW = {"happened": "no", "eligible": "yes", "staff_present": "not_sure", "comment": "never met"}


def _rating(store, frames_filter=None):
    profile = load_profile(DEFAULT_PROFILE)
    source = StoreSource(store, counted=False)
    frames = source.frames(profile.sources)
    if frames_filter is not None:
        frames = {k: frames_filter(v) for k, v in frames.items()}
    return rate(profile, frames, institutions=source.institutions()).table.set_index(
        ["institution_id", "period"]
    )


def test_flag_review_backcheck_falsification_suspension_and_rating(demo, report_checks):
    store = demo
    olga = store.person("olga")  # the demo's supervisor
    before = cw.exclusion_effect(store, actor=olga)
    assert (before["delta"] == 0).all() and (before["excluded"] == 0).all()

    # 1. the checks flag boris's interviews at one institution; each flag opens a case, nothing is excluded
    frame = store.interviews_frame("recipient_survey")
    boris = frame[frame["interviewer_id"] == "boris"]
    target = boris["institution_id"].value_counts().index[0]
    suspects = boris[boris["institution_id"] == target]["interview_id"].head(4).tolist()
    flags = pd.concat(
        [
            cw.run_checks_for(store, "recipient_survey"),
            pd.DataFrame(
                [
                    {
                        "rule": "duplicates",
                        "level": "interview",
                        "interview_id": i,
                        "interviewer_id": "boris",
                        "institution_id": target,
                        "value": 0.97,
                        "threshold": 0.85,
                        "detail": "97 % match",
                    }
                    for i in suspects
                ]
            ),  # fmt: skip
        ],
        ignore_index=True,
    )
    run = cw.run_qc(store, "recipient_survey", actor=olga, flags=flags)
    assert run.cases_opened == len(flags) and run.queued["flagged"] >= len(suspects)
    assert store.casework.exclusions().empty
    assert (cw.exclusion_effect(store, actor=olga)["delta"] == 0).all()

    # 2. the supervisor reviews: sends the first suspect's case to back-check
    cases = store.casework.cases(status="open").set_index("interview_id")
    case_id = int(cases.loc[suspects[0], "id"])
    assert (
        cw.decide(store, case_id, "backcheck", actor=olga, comment="phone the respondent").status
        == "backcheck"
    )

    # 3. the back-check finds no interview took place: full falsification
    check = store.casework.backchecks(status="queued").set_index("interview_id").loc[suspects[0]]
    result = cw.record_backcheck(store, int(check["id"]), "full_falsification", actor=olga, form=FORM_NO_INTERVIEW,
                                 method="telephone", notes="the respondent was never visited")  # fmt: skip
    assert result.falsification and result.excluded
    assert store.casework.case(case_id).status == "closed"
    assert store.casework.case(case_id).resolution == "full_falsification"

    # 4. boris's certificate is suspended, with the reason, through the certificate registry
    assert result.suspended
    for serial in result.suspended:
        entry = StoreRegistry(store).get_status(serial)
        assert entry.state.value == "suspended" and "falsification" in entry.reason
    status = store.certification_status("boris")
    assert not status.valid and "suspended" in status.reason("en")

    # 5. every completed interview of boris is queued (or back-checked already), none twice
    checks = store.casework.backchecks(interviewer_id="boris")
    assert set(checks["interview_id"]) == set(store.casework.interviews_of("boris"))
    assert checks["interview_id"].is_unique and "falsification" in set(checks["reason"])

    # 6. three more of the suspects turn out fake
    queued = store.casework.backchecks(status="queued").set_index("interview_id")
    for interview_id in suspects[1:]:
        cw.record_backcheck(store, int(queued.loc[interview_id, "id"]), "partial_falsification", actor=olga,
                            form=FORM_NO_INTERVIEW)  # fmt: skip
    assert store.casework.excluded_ids("recipient_survey") == set(suspects)

    # 7. the rating is recomputed without the fakes, and the effect table shows the change
    effect = cw.exclusion_effect(store, actor=olga).set_index(["institution_id", "period"])
    assert effect["excluded"].sum() == len(suspects)
    hit = effect[effect["excluded"] > 0]
    assert set(hit.index.get_level_values(0)) == {target}
    expected = _rating(store, lambda f: f[~f["interview_id"].isin(suspects)])
    for key, row in hit.iterrows():
        assert row["S_counted"] == expected.loc[key, "S"]
        assert row["S_all"] == before.set_index(["institution_id", "period"]).loc[key, "S_all"]
    assert (hit["delta"] != 0).any()
    assert (effect.loc[effect["excluded"] == 0, "delta"] == 0).all()
    counted = StoreSource(store).frames(["recipient_survey"])["recipient_survey"]
    assert not set(suspects) & set(counted["interview_id"])  # what dashboards, reports and `rate` read

    # 8. lifting the exclusions restores the original rating
    for interview_id in suspects:
        cw.restore(store, interview_id, "the council's appeal upheld the interviews", actor=olga)
    after = cw.exclusion_effect(store, actor=olga)
    pd.testing.assert_frame_equal(after, before)

    # and every step is in the audit log
    actions = set(map(tuple, store.audit_frame()[["entity", "action"]].values.tolist()))
    for expected_entry in [("qc_case", "open"), ("qc_case", "decide"), ("backcheck", "queue"), ("backcheck", "record"),
                           ("exclusion", "exclude"), ("exclusion", "lift"), ("certificate", "set_status")]:  # fmt: skip
        assert expected_entry in actions
