"""Jobs go out while the file is still being read, and repeated people are settled at the end."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from klaviyo_core.csvfile.sniff import CsvError
from klaviyo_core.profiles import scan as prep_scan
from klaviyo_core.profiles.checkpoint import unfinished_imports
from klaviyo_core.profiles.jobs import Limits
from klaviyo_core.profiles.pipeline import ImportOptions, UnfinishedImport, import_profiles
from klaviyo_core.profiles.progress import Progress
from klaviyo_core.profiles.sender import ImportStopped
from klaviyo_sandbox import SandboxServer
from tests.contract.test_import_profiles import (
    client_for,
    job_posts,
    mapping_for,
    read_report,
    stored_profiles,
    write_people,
)


def with_repeats(path: Path, rows: int) -> Path:
    """People user0..; every 10th row repeats the person of 5 rows before with another name."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Email,First Name,Phone,Points\n")
        for i in range(rows):
            person = i - 5 if i % 10 == 9 else i
            f.write(f"user{person}@example.com,Name{i},,{i}\n")
    return path


def test_first_jobs_are_sent_before_the_file_is_read(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prep_scan, "SCAN_CHUNK_ROWS", 20)
    path = write_people(tmp_path / "p.csv", 200)
    seen: list[Progress] = []
    result = import_profiles(
        client_for(sandbox),
        path,
        mapping_for(path),
        ImportOptions(),
        data_dir=tmp_path / "data",
        limits=Limits(profiles_per_job=10),
        poll_interval=0.02,
        on_progress=seen.append,
    )
    assert result.counts == Counter({"imported": 200}) and job_posts(sandbox) == 20
    early = [p for p in seen if p.reading and p.jobs_submitted]
    assert early and min(p.rows_read for p in early) < 200  # sending started with rows still to read
    assert any(p.stage == "reading" and p.scanning and p.text().startswith("Reading the file") for p in seen)
    assert all(p.rows_total == 200 for p in early) and any("of 200 rows" in p.text() for p in early)


@pytest.mark.parametrize("keep", ["last", "first"])
def test_repeated_people_wait_for_the_end(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: str
) -> None:
    monkeypatch.setattr(prep_scan, "SCAN_CHUNK_ROWS", 7)  # repeats straddle chunk boundaries
    path = with_repeats(tmp_path / "p.csv", 100)
    result = import_profiles(
        client_for(sandbox),
        path,
        mapping_for(path),
        ImportOptions(keep=keep),
        data_dir=tmp_path / "data",
        limits=Limits(profiles_per_job=8),
        poll_interval=0.02,
    )
    assert result.counts == Counter({"imported": 90, "skipped_duplicate": 10})
    report = {int(r["row"]): r for r in read_report(result.report_path)}  # type: ignore[arg-type]
    stored = stored_profiles(sandbox)
    for i in range(9, 100, 10):  # file line = i + 2
        winner, loser = (i + 2, i - 3) if keep == "last" else (i - 3, i + 2)
        assert report[winner]["status"] == "imported"
        assert report[loser]["status"] == "skipped_duplicate" and f"line {winner}" in report[loser]["reason"]
        assert stored[f"user{i - 5}@example.com"]["first_name"] == f"Name{winner - 2}"


def test_stopped_while_reading_resumes_without_resending(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prep_scan, "SCAN_CHUNK_ROWS", 10)
    client = client_for(sandbox)
    path = with_repeats(tmp_path / "p.csv", 120)
    mapping = mapping_for(path)
    stop = threading.Event()

    def stop_after_three(p: Progress) -> None:
        if p.jobs_submitted >= 3:
            stop.set()

    kwargs = {"data_dir": tmp_path / "data", "limits": Limits(profiles_per_job=9), "poll_interval": 0.02}
    with pytest.raises(ImportStopped):
        import_profiles(client, path, mapping, ImportOptions(), on_progress=stop_after_three, stop=stop, **kwargs)  # type: ignore[arg-type]
    sent_first = job_posts(sandbox)
    assert sent_first == 3
    with pytest.raises(UnfinishedImport, match="after sending 27 rows"):
        import_profiles(client, path, mapping, ImportOptions(), **kwargs)  # type: ignore[arg-type]
    result = import_profiles(client, path, mapping, ImportOptions(), resume=True, **kwargs)  # type: ignore[arg-type]
    assert result.counts == Counter({"imported": 108, "skipped_duplicate": 12})
    assert job_posts(sandbox) == 12  # 108 rows / 9 a job: each job sent exactly once
    assert len(stored_profiles(sandbox)) == 108


def test_a_file_refused_before_sending_leaves_nothing_to_resume(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text('Email,First Name\na@example.com,Ann\nb@example.com,"never closed\nc@example.com,Cy\n')
    for _ in range(2):  # the second run gets the same clear error, not "an unfinished import exists"
        with pytest.raises(CsvError, match="never closed"):
            import_profiles(client_for(sandbox), path, mapping_for(path), ImportOptions(), data_dir=tmp_path / "data")
    assert job_posts(sandbox) == 0
    assert unfinished_imports(tmp_path / "data") == []


def test_a_stop_while_reading_is_honoured_before_any_job(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prep_scan, "SCAN_CHUNK_ROWS", 5)
    path = write_people(tmp_path / "p.csv", 100)
    stop = threading.Event()

    def stop_while_scanning(p: Progress) -> None:
        if p.scanning:
            stop.set()

    kwargs: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "limits": Limits(profiles_per_job=10),
        "poll_interval": 0.02,
    }
    with pytest.raises(ImportStopped):
        import_profiles(
            client_for(sandbox),
            path,
            mapping_for(path),
            ImportOptions(),
            on_progress=stop_while_scanning,
            stop=stop,
            **kwargs,
        )  # type: ignore[arg-type]
    assert job_posts(sandbox) == 0
    result = import_profiles(client_for(sandbox), path, mapping_for(path), ImportOptions(), resume=True, **kwargs)  # type: ignore[arg-type]
    assert result.counts == Counter({"imported": 100}) and job_posts(sandbox) == 10
