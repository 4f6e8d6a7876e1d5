"""The set-based upsert behind bulk imports, directly on a store: matching rules and the three-phase commit."""

from __future__ import annotations

from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.profiles import bulk_upsert as profilebulk
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.bulk_upsert import UpsertPlan, UpsertRow, bulk_upsert, commit_plan


def _store() -> Store:
    return Store(None)


def _upsert(store: Store, *attrs: dict) -> profilebulk.UpsertResult:
    with store.write() as conn:
        return bulk_upsert(conn, [UpsertRow(i, a) for i, a in enumerate(attrs)])


def _profile(store: Store, pid: str) -> dict:
    with store.read() as conn:
        found = profilestore.load_profile(conn, pid)
    assert found is not None
    return found


def test_plan_rebuilt_when_a_profile_appears_meanwhile() -> None:
    store = _store()
    with store.write() as conn:
        plan = UpsertPlan(conn, [UpsertRow(0, {"email": "race@example.com", "first_name": "Import"})])
    plan.compute()
    other = _upsert(store, {"email": "race@example.com", "last_name": "Api"}).ids[0]  # written between phases
    with store.write() as conn:
        assert not plan.still_valid(conn)
        result = commit_plan(conn, plan)
    assert result.ids[0] == other and not result.created
    assert _profile(store, other)["first_name"] == "Import" and _profile(store, other)["last_name"] == "Api"


def test_plan_rebuilt_when_a_touched_profile_changes_meanwhile() -> None:
    store = _store()
    pid = _upsert(store, {"email": "t@example.com", "properties": {"a": 1}}).ids[0]
    with store.write() as conn:
        plan = UpsertPlan(conn, [UpsertRow(0, {"email": "t@example.com", "properties": {"b": 2}})])
    plan.compute()
    _upsert(store, {"email": "t@example.com", "properties": {"c": 3}})
    with store.write() as conn:
        assert not plan.still_valid(conn)
        commit_plan(conn, plan)
    assert _profile(store, pid)["properties"] == {"a": 1, "b": 2, "c": 3}


def test_identifier_taken_by_an_untouched_profile_falls_back_safely() -> None:
    store = _store()
    bystander = _upsert(store, {"email": "old@example.com"}).ids[0]
    with store.write() as conn:
        plan = UpsertPlan(conn, [UpsertRow(0, {"email": "new@example.com", "title": "Dr"})])
    plan.compute()
    with store.write() as conn:  # a PATCH gives the bystander the email the plan is about to insert
        conn.execute("UPDATE profiles SET email='new@example.com' WHERE id=?", (bystander,))
    with store.write() as conn:
        result = commit_plan(conn, plan)
    assert result.ids[0] == bystander and _profile(store, bystander)["title"] == "Dr"
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM profiles").fetchone()[0] == 1


def test_identifiers_can_move_between_profiles_in_one_batch() -> None:
    store = _store()
    first = _upsert(store, {"email": "a@example.com", "external_id": "x1"}, {"email": "b@example.com"}).ids
    result = _upsert(
        store,
        {"email": "a@example.com", "external_id": "x9"},  # frees x1
        {"email": "b@example.com", "external_id": "x1"},  # takes it
    )
    assert not result.errors
    assert _profile(store, first[0])["external_id"] == "x9" and _profile(store, first[1])["external_id"] == "x1"


def test_unknown_id_and_patch_properties() -> None:
    store = _store()
    with store.write() as conn:
        result = bulk_upsert(
            conn,
            [
                UpsertRow(0, {"email": "p@example.com"}, None, {"append": {"tags": ["x", "y"]}}),
                UpsertRow(1, {"email": "q@example.com"}, "01UNKNOWN0000000000000000"),
            ],
        )
    assert result.errors[1].status == 404 and result.errors[1].code == "not_found"
    assert _profile(store, result.ids[0])["properties"] == {"tags": ["x", "y"]}


def test_new_profile_ids_look_like_klaviyo_ids() -> None:
    ids = profilebulk.new_profile_ids(1000)
    assert len(set(ids)) == 1000 and all(len(i) == 26 and i.isalnum() and i.isupper() for i in ids)


def test_resent_rows_change_nothing() -> None:
    store = _store()
    pid = _upsert(store, {"email": "same@example.com", "first_name": "Ada", "properties": {"a": 1}}).ids[0]
    before = _profile(store, pid)["updated"]
    again = _upsert(store, {"email": "SAME@example.com", "first_name": "Ada", "properties": {"a": 1}})
    assert again.ids[0] == pid and not again.created and _profile(store, pid)["updated"] == before
    changed = _upsert(store, {"email": "same@example.com", "first_name": "Ada", "properties": {"a": 2}})
    assert changed.ids[0] == pid and _profile(store, pid)["updated"] > before
