"""Kept upload copies: removed once their import has finished or after a week unused, never while an
unfinished import needs them for resume. Real files, real checkpoints written by a real import."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from klaviyo_core.accounts import Target, identify
from klaviyo_core.csvfile.reader import preview
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.profiles.checkpoint import unfinished_imports
from klaviyo_core.profiles.mapping import suggest_mapping
from klaviyo_core.profiles.pipeline import ImportOptions, ImportResult, import_profiles
from klaviyo_core.profiles.sender import ImportStopped
from klaviyo_core.profiles.uploads import (
    MAX_AGE_SECONDS,
    files_needed_for_resume,
    mark_used,
    release_upload,
    save_upload,
    sweep_uploads,
    uploads_dir,
)
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

CSV = b"email,first_name\nann@example.com,Ann\ncy@example.com,Cy\n"
WEEK_AGO = time.time() - MAX_AGE_SECONDS - 60


#: The account a stopped import (which sends nothing) is recorded for, when no sandbox is needed.
OFFLINE = Target("Sandbox", "http://127.0.0.1:9", "SBX001", "pk_...0001", live=False)


def _import(
    path: Path, data_dir: Path, client: KlaviyoClient | None = None, stop: bool = False, target: Target | None = None
) -> ImportResult:
    _fmt, header, sample = preview(path)
    event = threading.Event()
    if stop:
        event.set()  # stops before the first job: planned, nothing sent, resumable
    return import_profiles(
        client,
        path,
        suggest_mapping(header.columns, sample),
        ImportOptions(dry_run=client is None and not stop),
        data_dir=data_dir,
        stop=event,
        target=target,
    )


def _unfinished(path: Path, data_dir: Path, target: Target = OFFLINE) -> None:
    with pytest.raises(ImportStopped):
        _import(path, data_dir, stop=True, target=target)


def _age(path: Path, seconds_ago_at: float = WEEK_AGO) -> None:
    os.utime(path, (seconds_ago_at, seconds_ago_at))


def test_same_content_is_kept_once_under_a_safe_name(tmp_path: Path) -> None:
    first = save_upload(tmp_path, "../../people.csv", CSV)
    _age(first)
    again = save_upload(tmp_path, "people.csv", CSV)
    assert again == first and first.parent == uploads_dir(tmp_path) and first.name.endswith("-people.csv")
    assert first.read_bytes() == CSV
    assert first.stat().st_mtime > WEEK_AGO + 3600  # reusing it counts as use
    assert sorted(p.name for p in uploads_dir(tmp_path).iterdir()) == [first.name]  # no temporary file left


def test_use_resets_the_age_at_most_hourly(tmp_path: Path) -> None:
    path = save_upload(tmp_path, "people.csv", CSV)
    recent = time.time() - 60
    _age(path, recent)
    mark_used(path)
    assert path.stat().st_mtime == pytest.approx(recent)  # the page's preview cache keys on mtime: left alone
    _age(path)
    mark_used(path)
    assert path.stat().st_mtime > WEEK_AGO + 3600
    mark_used(tmp_path / "gone.csv")  # removed meanwhile: nothing to do


def test_finished_import_releases_its_upload(tmp_path: Path, sandbox: SandboxServer) -> None:
    path = save_upload(tmp_path, "people.csv", CSV)
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, max_wait_seconds=5))
    result = _import(path, tmp_path, client)
    assert result.finished and result.report_path is not None
    assert release_upload(tmp_path, path) is True
    assert not path.exists()
    assert result.report_path.exists()  # the report does not need the upload
    assert release_upload(tmp_path, path) is False  # already gone: no error


def test_upload_an_unfinished_import_needs_is_never_released(tmp_path: Path) -> None:
    path = save_upload(tmp_path, "people.csv", CSV)
    _unfinished(path, tmp_path)
    assert [Path(cp.file_path).resolve() for cp in unfinished_imports(tmp_path)] == [path.resolve()]
    assert files_needed_for_resume(tmp_path) == {path.resolve()}
    # another import of the same file (say a dry run) finishes: the stopped one still needs it
    _import(path, tmp_path)
    assert release_upload(tmp_path, path) is False
    _age(path)
    assert sweep_uploads(tmp_path) == []
    assert path.read_bytes() == CSV


def test_resumed_import_finishing_frees_the_file(tmp_path: Path, sandbox: SandboxServer) -> None:
    path = save_upload(tmp_path, "people.csv", CSV)
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, max_wait_seconds=5))
    _unfinished(path, tmp_path, identify(client, "Sandbox"))
    _fmt, header, sample = preview(path)
    result = import_profiles(
        client, path, suggest_mapping(header.columns, sample), ImportOptions(), data_dir=tmp_path, resume=True
    )
    assert result.counts["imported"] == 2
    assert files_needed_for_resume(tmp_path) == set()
    assert release_upload(tmp_path, path) is True


def test_sweep_removes_only_old_unneeded_uploads(tmp_path: Path) -> None:
    old = save_upload(tmp_path, "old.csv", CSV + b"old@example.com,Old\n")
    needed = save_upload(tmp_path, "needed.csv", CSV + b"needed@example.com,Ned\n")
    fresh = save_upload(tmp_path, "fresh.csv", CSV + b"fresh@example.com,Fre\n")
    stray_tmp = uploads_dir(tmp_path) / ".incoming-crashed.tmp"
    stray_tmp.write_bytes(b"half a file")
    _unfinished(needed, tmp_path)
    for path in (old, needed, stray_tmp):
        _age(path)
    removed = sweep_uploads(tmp_path)
    assert sorted(p.name for p in removed) == sorted([old.name, stray_tmp.name])
    assert needed.exists() and fresh.exists() and not old.exists() and not stray_tmp.exists()


def test_files_outside_the_uploads_folder_are_never_removed(tmp_path: Path) -> None:
    own = tmp_path / "mine.csv"  # what the CLI imports: the user's own file, where it lies
    own.write_bytes(CSV)
    _import(own, tmp_path)
    assert release_upload(tmp_path, own) is False and own.exists()
    nested = uploads_dir(tmp_path) / "sub"
    nested.mkdir(parents=True)
    inner = nested / "x.csv"
    inner.write_bytes(CSV)
    _age(inner)
    _age(nested)
    assert release_upload(tmp_path, inner) is False
    assert sweep_uploads(tmp_path) == [] and inner.exists() and nested.exists()


def test_unreadable_or_missing_state_does_not_break_the_sweep(tmp_path: Path) -> None:
    assert sweep_uploads(tmp_path) == []  # no uploads folder yet
    broken = tmp_path / "imports" / "broken"
    broken.mkdir(parents=True)
    (broken / "checkpoint.json").write_text("{not json", encoding="utf-8")
    old = save_upload(tmp_path, "people.csv", CSV)
    _age(old)
    assert sweep_uploads(tmp_path) == [old]


def test_upload_name_is_the_users_file_name(tmp_path: Path) -> None:
    from klaviyo_core.profiles.uploads import upload_name

    kept = save_upload(tmp_path, "Shopify customers.csv", b"email\na@example.com\n")
    assert kept.name != "Shopify customers.csv" and upload_name(kept) == "Shopify customers.csv"
    assert upload_name(Path("/home/me/my-export.csv")) == "my-export.csv"


def test_a_very_long_upload_name_is_kept_short_enough(tmp_path: Path) -> None:
    """A 245-character name from a browser used to fail with 'File name too long' (issue 14.10)."""
    for name in ("a" * 241 + ".csv", "é" * 240 + ".csv", "b" * 300):
        saved = save_upload(tmp_path, name, b"email\nx@example.com\n")
        assert saved.read_bytes() == b"email\nx@example.com\n"
        assert len(saved.name.encode()) <= 255
        assert saved.name.endswith(".csv") or "." not in name
