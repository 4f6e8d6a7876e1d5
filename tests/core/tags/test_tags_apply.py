"""Plan and apply against a real sandbox through the client (no mocks)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.tags.apply import apply_plan, plan_tag_file, read_tag_file, report_csv
from klaviyo_core.tags.state import tag_overview
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from klaviyo_sandbox.taggables.store import insert_campaign
from tests.conftest import FULL_KEY


@pytest.fixture
def client(sandbox: SandboxServer) -> KlaviyoClient:
    seed_demo(sandbox.app.store)
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def _names(client: KlaviyoClient, path: str) -> list[str]:
    return sorted(t["attributes"]["name"] for t in client.get(path)["data"])


def _campaign_id(client: KlaviyoClient, name: str) -> str:
    doc = client.get("/api/campaigns", params={"filter": "equals(messages.channel,'email')"})
    return next(c["id"] for c in doc["data"] if c["attributes"]["name"] == name)


def _run(client: KlaviyoClient, text: str):  # type: ignore[no-untyped-def]
    plan = plan_tag_file(client, read_tag_file(text.encode()))
    return plan, apply_plan(client, plan)


def test_groups_file_creates_missing_and_rerun_changes_nothing(client: KlaviyoClient) -> None:
    text = "tag_group,tag,exclusive\nSeason,Summer,true\nSeason,Spring,true\nChannel,Email,\nChannel,SMS,\n"
    plan, result = _run(client, text)
    assert [r.action for r in plan.rows] == ["unchanged", "create", "create", "create"]
    assert result.ok and result.counts() == {"done": 3, "failed": 0, "unchanged": 1, "skipped": 0}
    groups = {g["attributes"]["name"]: g for g in client.get("/api/tag-groups")["data"]}
    assert groups["Channel"]["attributes"]["exclusive"] is False
    assert _names(client, f"/api/tag-groups/{groups['Season']['id']}/tags") == ["Autumn", "Holiday", "Spring", "Summer"]
    again = plan_tag_file(client, read_tag_file(text.encode()))
    assert again.writes == 0 and again.counts()["unchanged"] == 4


def test_assignments_apply_removals_first_and_report_per_row(client: KlaviyoClient) -> None:
    list_id = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": "Newsletter"}}})["data"]["id"]
    text = (
        "resource_type,resource,tag_group,tag,action\n"
        "campaign,Summer Sale Launch,Season,Autumn,\n"  # moves within an exclusive group...
        "campaign,summer sale launch,Season,Summer,remove\n"  # ...because this removal is applied first
        f"list,{list_id},Strategy,Retention,\n"
        "list,Newsletter,,Q3 2026,\n"  # new tag in the default group
        "flow,Welcome Series,Strategy,Onboarding,\n"  # already tagged by the demo seed
        "segment,VIP customerz,Strategy,Retention,\n"  # near-miss: skipped with a hint
    )
    plan, result = _run(client, text)
    assert [r.action for r in plan.rows] == ["assign", "remove", "assign", "assign", "unchanged", "skip"]
    assert "did you mean 'VIP customers'" in plan.rows[5].detail
    assert result.ok and result.counts() == {"done": 4, "failed": 0, "unchanged": 1, "skipped": 1}
    launch = _campaign_id(client, "Summer Sale Launch")
    assert _names(client, f"/api/campaigns/{launch}/tags") == ["Autumn", "Promotional"]
    assert _names(client, f"/api/lists/{list_id}/tags") == ["Q3 2026", "Retention"]
    report = report_csv(plan, result).splitlines()
    assert report[0].split(",")[-2:] == ["status", "message"] and len(report) == 7
    again = plan_tag_file(client, read_tag_file(text.encode()))
    assert again.writes == 0


def test_a_failing_resource_does_not_fail_its_batch(client: KlaviyoClient, sandbox: SandboxServer) -> None:
    text = "resource_type,resource,tag_group,tag\n" + "".join(
        f"campaign,{name},Strategy,Promotional\n" for name in ("Summer Sale Last Chance", "Welcome Back Offer")
    )
    plan = plan_tag_file(client, read_tag_file(text.encode()))
    doomed = _campaign_id(client, "Welcome Back Offer")
    with sandbox.app.store.write() as conn:  # deleted between plan and apply
        conn.execute("DELETE FROM campaigns WHERE id=?", (doomed,))
    result = apply_plan(client, plan)
    assert [result.status[r.line] for r in plan.rows] == ["done", "failed"]
    assert result.message[plan.rows[1].line]


def test_overview_counts_each_tag(client: KlaviyoClient) -> None:
    usage = {(u.group, u.tag): u for u in tag_overview(client)}
    assert usage[("Season", "Summer")].counts["campaign"] == 2
    assert usage[("Strategy", "Retention")].counts == {"list": 0, "segment": 1, "campaign": 0, "flow": 1}
    assert usage[("Default", "")].total == 0


def test_apply_under_the_real_tag_rate_limit(sandbox_factory: Callable[..., SandboxServer]) -> None:
    """3/s and 60/m on every tag endpoint, with windows scaled by 0.1 and the client's pacing scaled to match."""
    server = sandbox_factory(rate_limits=True, window_scale=0.1)
    for i in range(30):
        insert_campaign(server.app.store, f"Campaign {i:02d}")
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=server.url, rate_limit_scale=0.1))
    text = "resource_type,resource,tag_group,tag\n" + "".join(
        f"campaign,Campaign {i:02d},Batch,Tag {i:02d}\n" for i in range(30)
    )
    progress: list[tuple[int, int]] = []
    plan = plan_tag_file(client, read_tag_file(text.encode()))
    result = apply_plan(client, plan, on_progress=lambda done, total, _msg: progress.append((done, total)))
    assert result.ok and result.counts()["done"] == 30
    assert result.requests == 61  # 1 group + 30 tags + 30 link calls, each paced under 3/s and 60/m
    assert progress[-1] == (61, 61) and [d for d, _ in progress] == list(range(1, 62))
    tag_calls = [e for e in server.app.log if e["operation"] in ("create_tag", "tag_campaigns")]
    assert len([e for e in tag_calls if e["status"] in (201, 204)]) == 60
    assert plan_tag_file(client, read_tag_file(text.encode())).writes == 0


def test_groups_and_tags_created_meanwhile_are_adopted(client: KlaviyoClient) -> None:
    text = "resource_type,resource,tag_group,tag\nflow,Birthday Reward,Lifecycle,Birthday\n"
    plan = plan_tag_file(client, read_tag_file(text.encode()))
    assert len(plan.new_groups) == 1 and len(plan.new_tags) == 1
    group = client.post("/api/tag-groups", {"data": {"type": "tag-group", "attributes": {"name": "lifecycle"}}})
    ref = {"data": {"type": "tag-group", "id": group["data"]["id"]}}
    client.post(
        "/api/tags", {"data": {"type": "tag", "attributes": {"name": "Birthday"}, "relationships": {"tag-group": ref}}}
    )
    result = apply_plan(client, plan)
    assert result.ok and result.counts()["done"] == 1
    assert (
        len([g for g in client.get("/api/tag-groups")["data"] if g["attributes"]["name"].lower() == "lifecycle"]) == 1
    )
    assert plan_tag_file(client, read_tag_file(text.encode())).writes == 0


def test_a_bug_while_applying_is_raised_not_reported_per_row(
    client: KlaviyoClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only Klaviyo's refusals become per-row "could not be created"; a bug (here an answer without `data`)
    surfaces as itself, so the boundary explains it instead of blaming the rows."""
    plan = plan_tag_file(client, read_tag_file(GROUPS_WITH_NEW_GROUP.encode()))
    monkeypatch.setattr(client, "post", lambda path, body: {})
    with pytest.raises(KeyError, match="data"):
        apply_plan(client, plan)


GROUPS_WITH_NEW_GROUP = "tag_group,tag,exclusive\nBug hunt,Found,\n"


def test_overview_names_what_carries_each_tag_and_exports_it(client: KlaviyoClient) -> None:
    from klaviyo_core.tags import overview_csv, overview_rows

    usage = tag_overview(client)
    rows = {(r["group"], r["tag"]): r for r in overview_rows(usage)}
    retention = rows[("Strategy", "Retention")]
    assert retention["segments"] and retention["flows"] and retention["lists"] == ""
    assert retention["total"] == 2
    lines = overview_csv(usage).splitlines()
    assert lines[0] == "group,tag,lists,segments,campaigns,flows,total"
    assert any(line.startswith("Strategy,Retention,") for line in lines)


def test_progress_says_what_each_step_did_in_plain_words(client: KlaviyoClient) -> None:
    text = "resource_type,resource,tag_group,tag\nflow,Welcome Series,Progress,Flash\n"
    plan = plan_tag_file(client, read_tag_file(text.encode()))
    said: list[str] = []
    apply_plan(client, plan, on_progress=lambda _d, _t, message: said.append(message))
    assert said[-1] == "Tagged 1 flow with 'Flash'"
    assert plan.summary() == {"Tag groups to create": 1, "Tags to create": 1, "Resources to tag": 1}
