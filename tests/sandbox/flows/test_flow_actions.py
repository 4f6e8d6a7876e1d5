"""Flows have actions and a definition (issue 16 gap 5)."""

from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call


def _flow_id(sandbox: SandboxServer, name: str) -> str:
    flows = call(sandbox.url, "GET", "/api/flows").json()["data"]
    return next(f["id"] for f in flows if f["attributes"]["name"] == name)


def test_flow_actions_and_their_flow(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=10)
    fid = _flow_id(sandbox, "Abandoned Cart")
    actions = call(sandbox.url, "GET", f"/api/flows/{fid}/flow-actions").json()["data"]
    kinds = [a["attributes"]["definition"]["type"] for a in actions]
    assert kinds == ["time-delay", "send-email"]
    assert actions[0]["attributes"]["definition"]["links"]["next"] == actions[1]["id"]
    ids = call(sandbox.url, "GET", f"/api/flows/{fid}/relationships/flow-actions").json()["data"]
    assert [i["id"] for i in ids] == [a["id"] for a in actions]
    emails = call(
        sandbox.url, "GET", f"/api/flows/{fid}/flow-actions", params={"filter": "equals(action_type,'send-email')"}
    ).json()["data"]
    assert [a["id"] for a in emails] == [actions[1]["id"]]
    one = call(sandbox.url, "GET", f"/api/flow-actions/{actions[1]['id']}").json()["data"]
    assert one["relationships"]["flow"]["data"] == {"type": "flow", "id": fid}
    assert call(sandbox.url, "GET", f"/api/flow-actions/{one['id']}/flow").json()["data"]["id"] == fid


def test_flow_definition_is_answered_when_asked(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=10)
    fid = _flow_id(sandbox, "Abandoned Cart")
    plain = call(sandbox.url, "GET", f"/api/flows/{fid}").json()["data"]
    assert "definition" not in plain["attributes"]
    doc = call(
        sandbox.url,
        "GET",
        f"/api/flows/{fid}",
        params={"additional-fields[flow]": "definition", "include": "flow-actions"},
    ).json()
    definition = doc["data"]["attributes"]["definition"]
    assert definition["triggers"][0]["type"] == "metric" and definition["triggers"][0]["id"]
    assert definition["entry_action_id"] == definition["actions"][0]["id"]
    assert {i["id"] for i in doc["included"]} == {a["id"] for a in definition["actions"]}
    for name in ("Welcome Series", "Birthday Reward", "Back in Stock"):
        other = call(
            sandbox.url,
            "GET",
            f"/api/flows/{_flow_id(sandbox, name)}",
            params={"additional-fields[flow]": "definition"},
        )
        assert other.status_code == 200 and other.json()["data"]["attributes"]["definition"]["triggers"]
