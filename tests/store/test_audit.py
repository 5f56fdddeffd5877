"""The audit log records every change and the database itself refuses to change or delete an entry."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from surveykit.errors import ErrorCode, StoreError

from .helpers import example_answers, table_counts


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'submit'",
    ],
)
def test_the_database_refuses_to_change_the_audit_log(world, statement):
    store = world.store
    meta = world.start()
    store.submit(meta.id, example_answers())
    before = store.audit_frame()
    with pytest.raises(StoreError) as info, store.db.transaction() as conn:
        conn.execute(sa.text(statement))
    assert info.value.code is ErrorCode.AUDIT_APPEND_ONLY
    after = store.audit_frame()
    assert after.equals(before)


def test_write_work_that_touches_the_audit_log_is_refused_too(world):
    with pytest.raises(StoreError) as info:
        world.store.db.write(lambda conn: conn.execute(sa.text("UPDATE audit_log SET details = NULL")))
    assert info.value.code is ErrorCode.AUDIT_APPEND_ONLY


@pytest.mark.postgres
def test_truncate_is_refused_on_postgres(postgres_cluster, postgres_template):
    from surveykit.store import Store

    url = postgres_cluster.create_database("truncate_audit", template=postgres_template)
    try:
        with Store.open(url) as store:
            store.add_person("x", "X")
            with pytest.raises(StoreError) as info, store.db.transaction() as conn:
                conn.execute(sa.text("TRUNCATE audit_log"))
            assert info.value.code is ErrorCode.AUDIT_APPEND_ONLY
            assert table_counts(store)["audit_log"] == 1
    finally:
        postgres_cluster.drop_database("truncate_audit")


def test_every_change_is_audited_with_who_and_what(world):
    store = world.store
    meta = world.start()
    store.save_draft(meta.id, {"consent": "yes"}, page="respondent")
    store.submit(meta.id, example_answers())
    store.set_status(meta.id, "approved", by="sofia", note="ok")
    store.assign("anna", "csp1", "small", "2026-Q1", 10, by="sofia")
    store.set_access_code("boris", by="sofia")
    store.reviews.review(
        meta.id, "suggestions", "approved", published_text="Больше прогулок", reviewer_id="sofia"
    )
    audit = store.audit_frame()
    seen = set(zip(audit["entity"], audit["action"], strict=True))
    assert {
        ("questionnaire_version", "publish"),
        ("institution", "create"),
        ("person", "create"),
        ("certificate", "issue"),
        ("interview", "start"),
        ("interview", "save_draft"),
        ("interview", "submit"),
        ("interview", "status"),
        ("assignment", "assign"),
        ("person", "set_access_code"),
        ("interview", "review_open_answer"),
    } <= seen
    assert audit["at"].dt.tz is not None
    assert (audit["id"].diff().dropna() > 0).all()
    assert store.audit_frame(actor="sofia", entity="person")["entity_id"].tolist() == ["boris"]
