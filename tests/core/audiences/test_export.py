"""Audience export against a real sandbox: every member of a list or segment, paged, hashed per platform."""

from __future__ import annotations

import csv
import hashlib
import stat
from pathlib import Path

import pytest

from klaviyo_core.audiences import (
    Audience,
    export_audience,
    hashed_columns,
    normalise_email,
    normalise_phone,
    resolve_audience,
)
from klaviyo_core.http import ApiError, ClientConfig, KlaviyoClient
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY


def _client(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def _all_ids(client: KlaviyoClient, path: str) -> list[str]:
    return [p["id"] for p in client.iter_resources(path, {"page[size]": "100"})]


def _biggest_list(client: KlaviyoClient) -> Audience:
    lists = [(len(_all_ids(client, f"/api/lists/{i['id']}/relationships/profiles")), i) for i in
             client.iter_resources("/api/lists")]  # fmt: skip
    _, best = max(lists, key=lambda pair: pair[0])
    return Audience("list", best["id"], best["attributes"]["name"])


def test_export_list_pages_through_every_member(sandbox: SandboxServer, tmp_path: Path) -> None:
    seed_demo(sandbox.app.store, profiles=400)
    client = _client(sandbox)
    audience = _biggest_list(client)
    members = _all_ids(client, f"/api/lists/{audience.id}/relationships/profiles")
    assert len(members) > 100  # more than one page
    by_name = resolve_audience(client, "list", audience.name.upper())
    assert by_name.id == audience.id
    seen: list[int] = []
    result = export_audience(
        client, by_name, tmp_path / "out" / "list.csv", on_row=seen.append, fields="email,phone_number"
    )
    rows = list(csv.DictReader(result.path.open(encoding="utf-8")))
    assert result.rows == len(rows) == len(members) and seen[-1] == len(members)
    assert list(rows[0]) == ["email", "phone_number"] and all(r["email"] or r["phone_number"] for r in rows)
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert not list(result.path.parent.glob("*.partial"))


def test_export_segment_hashed_for_meta_and_google(sandbox: SandboxServer, tmp_path: Path) -> None:
    seed_demo(sandbox.app.store, profiles=60)
    client = _client(sandbox)
    segment = resolve_audience(client, "segment", "VIP customers")
    for platform in ("meta", "google"):
        out = tmp_path / f"{platform}.csv"
        result = export_audience(client, segment, out, hashed=platform, fields=("email", "phone_number"))
        rows = list(csv.DictReader(result.path.open(encoding="utf-8")))
        assert rows and len(rows) == len(_all_ids(client, f"/api/segments/{segment.id}/relationships/profiles"))
        for row in rows:
            assert row["email_sha256"] == hashlib.sha256(row["email"].strip().lower().encode()).hexdigest()
            phone = row["phone_number"]  # a plain number: the one writer leaves its "+" (issue 18)
            if phone:
                wanted = phone.lstrip("+") if platform == "meta" else phone
                assert row["phone_sha256"] == hashlib.sha256(wanted.encode()).hexdigest()


def test_unknown_or_ambiguous_audience_names_the_choices(sandbox: SandboxServer) -> None:
    client = _client(sandbox)
    for name in ("Twin", "twin"):
        client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})
    with pytest.raises(ValueError, match="Known lists: Twin, twin"):
        resolve_audience(client, "list", "Nope")
    with pytest.raises(ValueError, match="Several lists are named 'TWIN'"):
        resolve_audience(client, "list", "TWIN")


def test_a_failed_export_leaves_no_file(sandbox: SandboxServer, tmp_path: Path) -> None:
    out = tmp_path / "gone.csv"
    with pytest.raises(ApiError) as caught:
        export_audience(_client(sandbox), Audience("list", "NOSUCH", "x"), out)
    assert caught.value.status == 404
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("phone", "meta", "google"),
    [("+1 (555) 555-0123", "15555550123", "+15555550123"), ("+44 07700 900123", "4407700900123", "+4407700900123"),
     ("", "", "")],
)  # fmt: skip
def test_phone_normalisation_differs_by_platform(phone: str, meta: str, google: str) -> None:
    assert normalise_phone(phone, "meta") == meta and normalise_phone(phone, "google") == google


def test_email_normalisation_and_empty_hashes() -> None:
    assert normalise_email("  Ada.Lovelace@Example.COM ", "google") == "ada.lovelace@example.com"
    digest = "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"  # sha256("1")
    assert hashed_columns("", "+1", "meta") == ("", digest)
    with pytest.raises(ValueError, match="meta"):
        hashed_columns("a@example.com", "", "tiktok")
