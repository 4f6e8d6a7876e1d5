"""What independent Klaviyo clients rely on beyond the spec's letter (issue 16 gaps 2, 3, 6, 8, 9)."""

from __future__ import annotations

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
