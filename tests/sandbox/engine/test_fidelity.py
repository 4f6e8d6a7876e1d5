"""What independent Klaviyo clients rely on beyond the spec's letter (issue 16 gaps 2, 3, 6, 8, 9)."""

from __future__ import annotations

import re
from typing import Any

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call


def test_links_next_and_prev_are_always_present(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=30)
    first = call(sandbox.url, "GET", "/api/profiles", params={"page[size]": "20"}).json()["links"]
    assert first["next"] and first["prev"] is None
    last = first
    for _ in range(50):  # a bounded walk to the last page
        if last["next"] is None:
            break
        last = call(sandbox.url, "GET", last["next"].removeprefix(sandbox.url)).json()["links"]
    assert last["next"] is None and last["prev"]
    one_page = call(sandbox.url, "GET", "/api/tags").json()["links"]
    assert one_page["next"] is None and one_page["prev"] is None


WHOLE_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
STAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _stamps(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _stamps(v)]
    if isinstance(node, list):
        return [s for v in node for s in _stamps(v)]
    return [node] if isinstance(node, str) and STAMP_LIKE.match(node) else []


def test_resource_timestamps_are_whole_seconds_like_the_spec_examples(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=20)
    email = {"filter": "equals(messages.channel,'email')", "include": "campaign-messages"}
    reads = [
        ("/api/profiles", {"additional-fields[profile]": "subscriptions"}),
        ("/api/events", {}),
        ("/api/lists", {}),
        ("/api/segments", {}),
        ("/api/flows", {}),
        ("/api/metrics", {}),
        ("/api/campaigns", email),
    ]
    found: list[str] = []
    for path, params in reads:
        found += _stamps(call(sandbox.url, "GET", path, params=params).json())
    assert len(found) > 20
    assert [s for s in found if not WHOLE_SECONDS.match(s)] == []
