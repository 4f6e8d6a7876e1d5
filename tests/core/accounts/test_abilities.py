"""The Keys page's scope table: every page the key test knows, and what each can and cannot do."""

from __future__ import annotations

from klaviyo_core.accounts import PAGE_NEEDS, page_abilities
from klaviyo_core.accounts.probe import CAPABILITIES


def test_every_need_is_a_capability_the_key_test_checks() -> None:
    labels = {c.label for c in CAPABILITIES}
    assert {n for needs in PAGE_NEEDS.values() for n in needs} <= labels


def test_a_key_without_tag_and_event_scopes() -> None:
    rows = {
        r["page"]: r
        for r in page_abilities(
            ["create tags (tags:write)", "send test events (events:write)", "read events (events:read)"],
            unknown=["chart metrics"],
        )
    }
    assert rows["Tag upload"]["usable"] == "partly" and rows["Tag upload"]["cannot"] == "create tags (tags:write)"
    assert rows["Test events"]["usable"] == "no" and rows["Test events"]["can"] == ""
    assert rows["Profile upload"]["usable"] == "yes" and rows["Profile upload"]["cannot"] == ""
    assert rows["Metrics"]["not checked"] == "chart metrics" and rows["Metrics"]["can"] == "read metrics"
