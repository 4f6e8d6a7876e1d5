"""Shared set-up for consent tests: people subscribed, listed or suppressed through the sandbox's own API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_sandbox import SandboxServer


def write(tmp_path: Path, text: str, name: str = "consent.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def new_list(client: KlaviyoClient, name: str, opt_in: str = "single_opt_in") -> str:
    doc = {"data": {"type": "list", "attributes": {"name": name, "opt_in_process": opt_in}}}
    return str(client.post("/api/lists", doc)["data"]["id"])


def subscribe(sandbox: SandboxServer, client: KlaviyoClient, emails: list[str], list_id: str | None = None) -> None:
    profiles = [
        {
            "type": "profile",
            "attributes": {"email": e, "subscriptions": {"email": {"marketing": {"consent": "SUBSCRIBED"}}}},
        }
        for e in emails
    ]
    data: dict[str, Any] = {
        "type": "profile-subscription-bulk-create-job",
        "attributes": {"profiles": {"data": profiles}},
    }
    if list_id:
        data["relationships"] = {"list": {"data": {"type": "list", "id": list_id}}}
    client.post("/api/profile-subscription-bulk-create-jobs", {"data": data})
    assert sandbox.app.jobs.wait_idle(10)


def marketing(client: KlaviyoClient, email: str, channel: str = "email") -> dict[str, Any]:
    params = {"filter": f'equals(email,"{email}")', "additional-fields[profile]": "subscriptions"}
    data = client.get("/api/profiles", params)["data"]
    assert data, f"no profile {email}"
    found: dict[str, Any] = data[0]["attributes"]["subscriptions"][channel]["marketing"]
    return found
