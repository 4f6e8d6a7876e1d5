"""The importer against a real sandbox over loopback: every row accounted for exactly once."""

from __future__ import annotations

import csv
import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from klaviyo_core.accounts import identify
from klaviyo_core.csvfile.reader import preview
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.profiles import fields
from klaviyo_core.profiles.jobs import Limits
from klaviyo_core.profiles.mapping import Mapping, suggest_mapping
from klaviyo_core.profiles.pipeline import ImportOptions, UnfinishedImport, import_profiles
from klaviyo_core.profiles.progress import Progress
from klaviyo_core.profiles.sender import ImportStopped, subscribe_body
from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY


def write_people(path: Path, rows: int, bad_every: int = 0, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Email,First Name,Phone,Points\n")
        for i in range(start, start + rows):
            email = f"bad{i}@" if bad_every and i % bad_every == 0 else f"user{i}@example.com"
            phone = f"+1415555{i % 10000:04d}" if i % 7 == 0 and i < 10_000 else ""
            f.write(f"{email},Name{i},{phone},{i}\n")
    return path


def mapping_for(path: Path) -> Mapping:
    _fmt, header, sample = preview(path, rows=50)
    return suggest_mapping(header.columns, sample)


def client_for(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, max_wait_seconds=5))


def admin(sandbox: SandboxServer, method: str, path: str, body: dict | None = None) -> dict:  # type: ignore[type-arg]
    resp = requests.request(method, sandbox.url + path, json=body, headers=ADMIN_HEADERS, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def job_posts(sandbox: SandboxServer) -> int:
    log = admin(sandbox, "GET", "/__sandbox/requests")["requests"]
    return sum(1 for e in log if e["operation"] == "bulk_import_profiles" and e["status"] == 202)


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def stored_profiles(sandbox: SandboxServer) -> dict[str, dict]:  # type: ignore[type-arg]
    """email -> stored attributes, read from the sandbox's own store (its GET /api/profiles comes later)."""
    with sandbox.app.store.read() as conn:
        rows = conn.execute("SELECT email, phone_number, attributes FROM profiles").fetchall()
    return {r[0]: {"phone_number": r[1], **json.loads(r[2])} for r in rows}


def test_import_into_a_list_with_report(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = client_for(sandbox)
    listed = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": "CSV"}}})["data"]["id"]
    path = write_people(tmp_path / "p.csv", 30, bad_every=10)
    mapping = mapping_for(path)
    result = import_profiles(
        client,
        path,
        mapping,
        ImportOptions(list_id=listed),
        data_dir=tmp_path / "data",
        limits=Limits(profiles_per_job=10),
        poll_interval=0.02,
    )
    assert result.finished and result.counts == Counter({"imported": 27, "rejected": 3})
    assert result.plan["jobs"] == 3 and job_posts(sandbox) == 3
    rows = read_report(result.report_path)  # type: ignore[arg-type]
    assert [int(r["row"]) for r in rows] == list(range(2, 32))
    assert rows[0]["status"] == "rejected" and "bad0@" in rows[0]["reason"]
    jobs = list(client.iter_resources("/api/profile-bulk-import-jobs"))
    assert len(jobs) == 3 and sum(j["attributes"]["completed_count"] for j in jobs) == 27
    for job in jobs:
        lists = client.get(f"/api/profile-bulk-import-jobs/{job['id']}/relationships/lists")["data"]
        assert lists == [{"type": "list", "id": listed}]
    assert admin(sandbox, "POST", "/__sandbox/jobs/wait", {"timeout": 10})["idle"]
    members = list(client.iter_resources(f"/api/lists/{listed}/relationships/profiles"))
    assert len(members) == 27
    stored = stored_profiles(sandbox)
    assert len(stored) == 27
    assert stored["user7@example.com"]["phone_number"] == "+14155550007"
    assert stored["user7@example.com"]["properties"] == {"Points": 7}


def test_import_errors_are_joined_back_to_rows(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows the sandbox refuses (here: emails our validation was told to let through) end as rejected_by_klaviyo."""

    def accept_all(s):  # type: ignore[no-untyped-def]
        return s, s == s

    monkeypatch.setattr(fields, "check_emails", accept_all)
    path = write_people(tmp_path / "p.csv", 25, bad_every=6)
    result = import_profiles(
        client_for(sandbox),
        path,
        mapping_for(path),
        ImportOptions(),
        data_dir=tmp_path / "data",
        limits=Limits(profiles_per_job=10),
        poll_interval=0.02,
    )
    assert result.counts == Counter({"imported": 20, "rejected_by_klaviyo": 5})
    refused = [r for r in read_report(result.report_path) if r["status"] == "rejected_by_klaviyo"]  # type: ignore[arg-type]
    assert [r["Email"] for r in refused] == ["bad0@", "bad6@", "bad12@", "bad18@", "bad24@"]
    assert all(r["reason"].startswith("Klaviyo:") for r in refused)


def test_dry_run_sends_nothing_and_previews_the_first_job(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = write_people(tmp_path / "p.csv", 12, bad_every=5)
    result = import_profiles(
        None,
        path,
        mapping_for(path),
        ImportOptions(dry_run=True, list_id="ABC123"),
        data_dir=tmp_path / "data",
        limits=Limits(profiles_per_job=4),
    )
    assert result.counts == Counter({"valid": 9, "rejected": 3}) and result.all_imported is False
    body = result.first_job
    assert body is not None and len(body["data"]["attributes"]["profiles"]["data"]) == 4
    assert body["data"]["relationships"]["lists"]["data"] == [{"type": "list", "id": "ABC123"}]
    assert job_posts(sandbox) == 0


def test_stop_then_resume_sends_each_chunk_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = client_for(sandbox)
    path = write_people(tmp_path / "p.csv", 60)
    mapping = mapping_for(path)
    stop = threading.Event()

    def stop_after_two(p: Progress) -> None:
        if p.jobs_submitted >= 2:
            stop.set()

    kwargs: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "limits": Limits(profiles_per_job=10),
        "poll_interval": 0.02,
    }
    with pytest.raises(ImportStopped):
        import_profiles(client, path, mapping, ImportOptions(), on_progress=stop_after_two, stop=stop, **kwargs)  # type: ignore[arg-type]
    assert job_posts(sandbox) == 2
    with pytest.raises(UnfinishedImport, match="still checking the file, after sending 20 rows"):
        import_profiles(client, path, mapping, ImportOptions(), **kwargs)  # type: ignore[arg-type]
    result = import_profiles(client, path, mapping, ImportOptions(), resume=True, **kwargs)  # type: ignore[arg-type]
    assert result.counts == Counter({"imported": 60})
    assert job_posts(sandbox) == 6 and len(stored_profiles(sandbox)) == 60


def test_checkpoint_files_never_hold_the_key(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = write_people(tmp_path / "p.csv", 5)
    result = import_profiles(
        client_for(sandbox),
        path,
        mapping_for(path),
        ImportOptions(),
        data_dir=tmp_path / "data",
        poll_interval=0.02,
    )
    for file in (tmp_path / "data").rglob("*"):
        if file.is_file():
            assert FULL_KEY not in file.read_text(encoding="utf-8-sig", errors="replace"), file
    assert result.all_imported


@pytest.mark.slow
def test_50k_rows_under_faults_every_row_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = client_for(sandbox)
    path = write_people(tmp_path / "p.csv", 50_000, bad_every=1000)
    target = identify(client, "Sandbox")  # who the import writes to, asked before the faults start
    admin(
        sandbox,
        "PUT",
        "/__sandbox/faults",
        {"throttle_rate": 0.1, "error_rate": 0.1, "drop_rate": 0.05, "retry_after": 0, "seed": 4},
    )
    result = import_profiles(
        client,
        path,
        mapping_for(path),
        ImportOptions(),
        data_dir=tmp_path / "data",
        poll_interval=0.05,
        deadline_seconds=240,
        target=target,
    )
    admin(sandbox, "DELETE", "/__sandbox/faults")
    seen = Counter(e["status"] for e in admin(sandbox, "GET", "/__sandbox/requests")["requests"])
    assert seen[429] and sum(n for status, n in seen.items() if status >= 500), seen  # the faults did bite
    rows = read_report(result.report_path)  # type: ignore[arg-type]
    assert len(rows) == 50_000 and len({r["row"] for r in rows}) == 50_000
    assert Counter(r["status"] for r in rows) == Counter({"imported": 49_950, "rejected": 50})
    assert len(stored_profiles(sandbox)) == 49_950


def test_subscribe_body_only_for_channels_a_profile_has() -> None:
    profiles = [
        json.dumps({"type": "profile", "attributes": {"email": "a@example.com", "phone_number": "+14155550100"}}),
        json.dumps({"type": "profile", "attributes": {"email": "b@example.com"}}),
        json.dumps({"type": "profile", "attributes": {"external_id": "X1"}}),
    ]
    body = subscribe_body(profiles, ("email", "sms"), "LIST01")
    items = body["data"]["attributes"]["profiles"]["data"]
    assert [sorted(i["attributes"]["subscriptions"]) for i in items] == [["email", "sms"], ["email"]]
    assert items[0]["attributes"]["subscriptions"]["sms"] == {"marketing": {"consent": "SUBSCRIBED"}}
    assert body["data"]["relationships"] == {"list": {"data": {"type": "list", "id": "LIST01"}}}
    assert "relationships" not in subscribe_body(profiles, ("email",), None)["data"]


def test_import_with_explicit_consent(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = client_for(sandbox)
    listed = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": "Opted in"}}})["data"]["id"]
    path = write_people(tmp_path / "p.csv", 15)
    result = import_profiles(
        client,
        path,
        mapping_for(path),
        ImportOptions(list_id=listed, subscribe=("email", "sms")),
        data_dir=tmp_path / "data",
        poll_interval=0.02,
    )
    assert result.counts == Counter({"imported": 15})
    log = admin(sandbox, "GET", "/__sandbox/requests")["requests"]
    assert sum(1 for e in log if e["operation"] == "bulk_subscribe_profiles" and e["status"] == 202) == 1
    assert admin(sandbox, "POST", "/__sandbox/jobs/wait", {"timeout": 10})["idle"]

    def consent(email: str) -> dict:  # type: ignore[type-arg]
        params = {"filter": f'equals(email,"{email}")', "additional-fields[profile]": "subscriptions"}
        return client.get("/api/profiles", params)["data"][0]["attributes"]["subscriptions"]

    with_phone, without = consent("user7@example.com"), consent("user8@example.com")
    assert with_phone["email"]["marketing"]["consent"] == "SUBSCRIBED"
    assert with_phone["sms"]["marketing"]["consent"] == "SUBSCRIBED"
    assert without["email"]["marketing"]["consent"] == "SUBSCRIBED"
    assert without["sms"]["marketing"]["consent"] != "SUBSCRIBED"  # no phone: no SMS consent invented


def test_resume_adopts_a_job_whose_202_was_lost(sandbox: SandboxServer, tmp_path: Path) -> None:
    """Crash between the job POST and the checkpoint write: on resume the job is found, not sent again."""
    client = client_for(sandbox)
    path = write_people(tmp_path / "p.csv", 30)
    stop = threading.Event()

    def stop_after_one(p: Progress) -> None:
        if p.jobs_submitted >= 1:
            stop.set()

    kwargs: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "limits": Limits(profiles_per_job=10),
        "poll_interval": 0.02,
    }
    with pytest.raises(ImportStopped):
        import_profiles(
            client, path, mapping_for(path), ImportOptions(), on_progress=stop_after_one, stop=stop, **kwargs
        )  # type: ignore[arg-type]
    ws_dir = next((tmp_path / "data" / "imports").iterdir())
    cp_path = ws_dir / "checkpoint.json"
    cp = json.loads(cp_path.read_text(encoding="utf-8"))
    first = cp["chunks"][0]
    assert first["state"] == "submitted" and first["job_id"]
    first["state"], first["job_id"] = "submitting", None  # as if killed before the 202 was recorded
    cp_path.write_text(json.dumps(cp), encoding="utf-8")
    result = import_profiles(client, path, mapping_for(path), ImportOptions(), resume=True, **kwargs)  # type: ignore[arg-type]
    assert result.counts == Counter({"imported": 30})
    assert job_posts(sandbox) == 3  # chunk 0 was adopted, not re-sent


def test_a_changed_file_is_a_new_import(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = client_for(sandbox)
    path = write_people(tmp_path / "p.csv", 20)
    stop = threading.Event()
    stop.set()
    kwargs = {"data_dir": tmp_path / "data", "poll_interval": 0.02}
    with pytest.raises(ImportStopped):
        import_profiles(client, path, mapping_for(path), ImportOptions(), stop=stop, **kwargs)  # type: ignore[arg-type]
    write_people(path, 21)  # edited since: a different fingerprint, so no "unfinished import" for it
    result = import_profiles(client, path, mapping_for(path), ImportOptions(), **kwargs)  # type: ignore[arg-type]
    assert result.counts == Counter({"imported": 21})


def test_a_stop_while_confirming_is_honoured_even_when_klaviyo_is_done(
    sandbox_factory: Callable[..., SandboxServer], tmp_path: Path
) -> None:
    """Issue 13 item 7: the page's Stop, pressed once every job is sent, stops before the next job is
    confirmed (it used to be checked only while waiting, so jobs Klaviyo had finished ran to the end)."""
    sandbox = sandbox_factory(job_step_seconds=0.0)  # every job is complete at its first look
    path = write_people(tmp_path / "p.csv", 30)
    client, mapping, stop = client_for(sandbox), mapping_for(path), threading.Event()

    def stop_once_all_sent(p: Progress) -> None:
        if not p.reading and p.jobs_total and p.jobs_submitted == p.jobs_total:
            stop.set()

    kwargs = {"data_dir": tmp_path / "data", "limits": Limits(profiles_per_job=10), "poll_interval": 0.02}
    with pytest.raises(ImportStopped):
        import_profiles(client, path, mapping, ImportOptions(), on_progress=stop_once_all_sent, stop=stop, **kwargs)  # type: ignore[arg-type]
    result = import_profiles(client, path, mapping, ImportOptions(), resume=True, **kwargs)  # type: ignore[arg-type]
    assert result.counts == Counter({"imported": 30}) and job_posts(sandbox) == 3
