"""Audience export extras against a real sandbox (issue 18): chosen fields and consent columns, resume after an
injected failure without a row twice, a checkpoint bound to its account, progress with an ETA."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import requests

from klaviyo_core.accounts import TargetMismatch, identify
from klaviyo_core.accounts.target import Target
from klaviyo_core.audiences import Audience, ExportProgress, export_audience, members_ceiling, parse_fields
from klaviyo_core.http import ApiError, ClientConfig, KlaviyoClient
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import ADMIN_HEADERS, FULL_KEY
from tests.core.audiences.test_export import _all_ids, _biggest_list


@pytest.fixture
def client(sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KlaviyoClient:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))
    seed_demo(sandbox.app.store, profiles=450)
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, max_wait_seconds=1))


def _admin(sandbox: SandboxServer, method: str, path: str, body: dict | None = None) -> dict:  # type: ignore[type-arg]
    resp = requests.request(method, sandbox.url + path, json=body, headers=ADMIN_HEADERS, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _member_reads(sandbox: SandboxServer) -> int:
    log = _admin(sandbox, "GET", "/__sandbox/requests")["requests"]
    return sum(1 for e in log if e["operation"] == "get_profiles_for_list" and e["status"] == 200)


def _list_of_everyone(client: KlaviyoClient) -> Audience:
    """A list of every profile (five pages), so a failure injected after the first page always stops the
    export part way, whatever the page read ahead."""
    ids = [p["id"] for p in client.iter_resources("/api/profiles", {"page[size]": "100"})]
    body = {"data": {"type": "list", "attributes": {"name": "Everyone"}}}
    list_id = client.post("/api/lists", body)["data"]["id"]
    client.post(f"/api/lists/{list_id}/relationships/profiles", {"data": [{"type": "profile", "id": i} for i in ids]})
    return Audience("list", list_id, "Everyone")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_chosen_fields_and_consent_columns(client: KlaviyoClient, tmp_path: Path) -> None:
    audience = _biggest_list(client)
    fields = "email,first_name,location.city,email_consent,sms_consent"
    result = export_audience(client, audience, tmp_path / "out.csv", fields=fields)
    rows = _rows(result.path)
    assert list(rows[0]) == fields.split(",")
    params = {"page[size]": "100", "additional-fields[profile]": "subscriptions"}
    members = {m["attributes"]["email"]: m["attributes"] for m in
               client.iter_resources(f"/api/lists/{audience.id}/profiles", params)}  # fmt: skip
    assert len(rows) == len(members)
    for row in rows:
        attrs = members[row["email"]]
        assert row["first_name"] == (attrs.get("first_name") or "")
        assert row["email_consent"] == attrs["subscriptions"]["email"]["marketing"]["consent"]
        assert row["sms_consent"] == ((attrs["subscriptions"].get("sms") or {}).get("marketing") or {}).get(
            "consent", ""
        )
    assert {r["email_consent"] for r in rows} - {""}, "the demo seed has subscribed and other profiles"


def test_unknown_fields_are_refused_before_any_request() -> None:
    assert parse_fields(None) == ("email",) and parse_fields(" email , phone_number,email") == ("email", "phone_number")
    with pytest.raises(ValueError, match=r"Unknown export field.*password.*known: email"):
        parse_fields("email,password")


def test_an_export_stopped_by_a_failure_resumes_without_a_row_twice(
    client: KlaviyoClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    audience = _list_of_everyone(client)
    members = _all_ids(client, f"/api/lists/{audience.id}/relationships/profiles")
    assert len(members) > 400  # five pages
    out = tmp_path / "list.csv"
    reads_before = _member_reads(sandbox)

    def fail_after_one_page(progress: ExportProgress) -> None:
        if progress.pages == 1:  # the sandbox starts failing (pages read ahead may still have come in)
            _admin(sandbox, "PUT", "/__sandbox/faults", {"error_rate": 1.0, "error_statuses": [500]})

    with pytest.raises(ApiError):
        export_audience(client, audience, out, fields="id,email", on_progress=fail_after_one_page, total=0)
    partial = out.with_name("list.csv.partial")
    written = len(_rows(partial))
    assert not out.exists() and written in (100, 200, 300, 400) and written < len(members)
    with partial.open("a", encoding="utf-8") as f:  # a crash after writing a page, before its checkpoint
        f.write("half-written,row\n")
    _admin(sandbox, "PUT", "/__sandbox/faults", {})

    result = export_audience(client, audience, out, fields="id,email")
    rows = _rows(out)
    assert result.rows == len(rows) == len(members) and sorted(r["id"] for r in rows) == sorted(members)
    assert "half-written" not in out.read_text(encoding="utf-8") and not partial.exists()
    pages = -(-len(members) // 100)
    assert _member_reads(sandbox) - reads_before == pages  # the pages in the file were not read again


def test_an_unfinished_export_is_bound_to_its_account(
    client: KlaviyoClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    audience = _list_of_everyone(client)
    out = tmp_path / "list.csv"

    def fail_after_one_page(progress: ExportProgress) -> None:
        _admin(sandbox, "PUT", "/__sandbox/faults", {"error_rate": 1.0, "error_statuses": [500]})

    with pytest.raises(ApiError):
        export_audience(client, audience, out, on_progress=fail_after_one_page, total=0)
    assert out.with_name("list.csv.partial").exists()
    _admin(sandbox, "PUT", "/__sandbox/faults", {})
    own = identify(client, "Sandbox")
    # The same checkpoint key needs the same account id, so the other account is seen through the recorded one.
    other = Target("Elsewhere", own.base_url, own.account_id, own.key_fingerprint, False)
    from klaviyo_core.audiences.export_checkpoint import checkpoint_key, load_checkpoint, save_checkpoint

    key = checkpoint_key(own.account_id, "list", audience.id, ("email",), None, out)
    cp = load_checkpoint(key)
    assert cp is not None and cp.rows in (100, 200, 300, 400) and cp.target["account_id"] == own.account_id
    cp.target = {**cp.target, "account_id": "SOMEONE_ELSE", "name": "Other store"}
    save_checkpoint(cp)
    with pytest.raises(TargetMismatch, match="Other store"):
        export_audience(client, audience, out, target=other)
    assert not out.exists()
    assert export_audience(client, audience, out, resume=False).rows > 100  # a restart is always possible


def test_progress_has_an_eta_from_the_endpoint_ceiling(client: KlaviyoClient, tmp_path: Path) -> None:
    audience = _biggest_list(client)
    seen: list[ExportProgress] = []
    export_audience(client, audience, tmp_path / "out.csv", on_progress=seen.append)
    total = len(_all_ids(client, f"/api/lists/{audience.id}/relationships/profiles"))
    assert members_ceiling(client) == 750 / 60 * 100  # 750 pages a minute (spec), 100 members a page
    assert [p.rows for p in seen][-1] == total and all(p.total == total for p in seen)
    assert seen[0].eta_seconds is not None and seen[0].eta_seconds >= (total - 100) / members_ceiling(client) - 1e-9
    assert seen[-1].eta_seconds == 0 and "members" in seen[-1].text()
    scaled = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=client.config.base_url, rate_limit_scale=0.1))
    assert members_ceiling(scaled) == pytest.approx(12_500)


def test_progress_says_one_page_not_one_pages() -> None:
    one = ExportProgress(rows=3, pages=1, total=3, eta_seconds=0, ceiling_rows_per_second=10).text()
    assert "(1 page)" in one
    assert "(2 pages)" in ExportProgress(rows=3, pages=2, total=3, eta_seconds=0, ceiling_rows_per_second=10).text()
