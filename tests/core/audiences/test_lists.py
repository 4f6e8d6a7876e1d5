"""Lists and segments against a real sandbox: counts cached per account with their age, members paged and
searched server-side, a new list and its opt-in as bound, confirmed writes (issue 18 item 2)."""

from __future__ import annotations

import stat
from collections.abc import Callable

import pytest

from klaviyo_core.accounts import LiveWriteNotConfirmed, TargetMismatch, confirm_live, identify
from klaviyo_core.audiences import (
    FRESH_SECONDS,
    age_text,
    audiences_frame,
    create_list,
    member_count,
    members_page,
    search_filter,
    set_opt_in,
)
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_core.paths import data_dir
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine.http import Request, Response
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY


def _client(sandbox: SandboxServer, **extra: float) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, **extra))  # type: ignore[arg-type]


def _count_calls(sandbox: SandboxServer) -> list[str]:
    seen: list[str] = []

    def observe(req: Request, op_id: str, resp: Response) -> None:
        if "profile_count" in (req.arg("additional-fields[list]") or "") + (
            req.arg("additional-fields[segment]") or ""
        ):
            seen.append(op_id)

    sandbox.app.observers.append(observe)
    return seen


def test_counts_are_asked_once_then_kept_on_disk(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=80)
    client = _client(sandbox)
    calls = _count_calls(sandbox)
    plain = audiences_frame(client, "list")
    assert plain["profile_count"].isna().all() and set(plain["counted"]) == {"not counted yet"} and not calls
    counted = audiences_frame(client, "list", count=lambda _: True)
    assert len(calls) == len(counted) and counted["profile_count"].notna().all()
    assert set(counted["counted"]) == {"counted just now"}
    biggest = counted.sort_values("profile_count").iloc[-1]
    ids = list(client.iter_resources(f"/api/lists/{biggest['id']}/relationships/profiles", {"page[size]": "100"}))
    assert biggest["profile_count"] == len(ids)
    again = audiences_frame(client, "list", count=lambda _: True)  # fresh: nothing asked again
    assert len(calls) == len(counted) and again["profile_count"].tolist() == counted["profile_count"].tolist()
    audiences_frame(client, "list", count=lambda i: i == biggest["id"], refresh=True)
    assert len(calls) == len(counted) + 1
    cache = data_dir() / "audience-counts.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600 and FULL_KEY not in cache.read_text()
    segments = audiences_frame(client, "segment", count=lambda _: True)
    assert segments["profile_count"].notna().all() and "is_active" in segments


def test_a_stale_count_is_asked_again(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=20)
    client = _client(sandbox)
    list_id = next(client.iter_resources("/api/lists"))["id"]
    calls = _count_calls(sandbox)
    first = member_count(client, "list", list_id, clock=lambda: 1000.0)
    assert member_count(client, "list", list_id, clock=lambda: 1000.0 + FRESH_SECONDS - 1) == first
    assert len(calls) == 1
    later = member_count(client, "list", list_id, clock=lambda: 1000.0 + FRESH_SECONDS + 1)
    assert len(calls) == 2 and later.counted_at > first.counted_at
    assert age_text(later, now=later.counted_at + 180) == "counted 3 minutes ago"
    assert age_text(None) == "not counted yet"


def test_counts_are_paced_to_one_a_second(sandbox_factory: Callable[..., SandboxServer]) -> None:
    # real windows: the client keeps 2% of a window as margin (20 ms), which a loaded machine's jitter can eat when
    # a "second" lasts 50 ms (a scaled run failed once under load)
    sb = sandbox_factory(rate_limits=True)
    seed_demo(sb.app.store, profiles=20)
    client = _client(sb)
    statuses: list[int] = []
    sb.app.observers.append(lambda req, op, resp: statuses.append(resp.status))
    frame = audiences_frame(client, "segment", count=lambda _: True)
    assert frame["profile_count"].notna().all() and 429 not in statuses


def test_members_paged_by_100_and_searched_on_the_server(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=400)
    client = _client(sandbox)
    lists = audiences_frame(client, "list", count=lambda _: True)
    biggest = lists.sort_values("profile_count").iloc[-1]
    assert biggest["profile_count"] > 100
    first = members_page(client, "list", biggest["id"])
    assert len(first.frame) == 100 and first.next_url
    second = members_page(client, "list", biggest["id"], page_url=first.next_url)
    assert not set(first.frame["id"]) & set(second.frame["id"])
    email = second.frame["email"].dropna().iloc[0]
    found = members_page(client, "list", biggest["id"], search=f"  {email.upper()} ")
    assert found.frame["email"].tolist() == [email] and found.next_url is None
    assert all(v is None or isinstance(v, str) for v in first.frame["phone_number"])  # no NaN for a missing one
    nobody = members_page(client, "list", biggest["id"], search="nobody@example.com")
    assert nobody.frame.empty
    with pytest.raises(ValueError, match="whole email"):
        members_page(client, "list", biggest["id"], search="gmail")
    assert search_filter("segment", "01ABC") == 'equals(profile_id,"01ABC")'
    assert search_filter("list", "+15555550123") == 'equals(phone_number,"+15555550123")'


def test_create_list_and_opt_in_are_bound_and_confirmed(sandbox: SandboxServer) -> None:
    client = _client(sandbox)
    made = create_list(client, "  Spring launch ", "double_opt_in")
    assert made.name == "Spring launch"
    frame = audiences_frame(client, "list")
    assert frame.set_index("id").loc[made.id, "opt_in_process"] == "double_opt_in"
    assert set_opt_in(client, made.id, "single_opt_in") == "single_opt_in"
    with pytest.raises(ValueError):
        create_list(client, "x", "triple_opt_in")
    own = identify(client, "demo")
    other = own.__class__("other", own.base_url, "ANOTHER", own.key_fingerprint, False)
    with pytest.raises(TargetMismatch):
        create_list(client, "Nope", target=other)
    live = own.__class__("shop", own.base_url, own.account_id, own.key_fingerprint, True)
    with pytest.raises(LiveWriteNotConfirmed):
        create_list(client, "Nope", target=live)
    token = confirm_live(live, "create the list 'Yes'", "shop")
    assert create_list(client, "Yes", target=live, confirmation=token).name == "Yes"
    with pytest.raises(LiveWriteNotConfirmed):  # one write per confirmation
        create_list(client, "Again", target=live, confirmation=token)
    names = set(audiences_frame(client, "list")["name"])
    assert {"Spring launch", "Yes"} <= names and not {"Nope", "Again"} & names
