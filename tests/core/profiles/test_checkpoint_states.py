"""Import stages and chunk states are StrEnums: a checkpoint written before they existed loads, resumes and is
written back with the very same strings."""

from __future__ import annotations

import json
from pathlib import Path

from klaviyo_core.profiles.checkpoint import ChunkStatus, Stage, Workspace, unfinished_imports
from klaviyo_core.profiles.progress import progress_text

#: checkpoint.json as the workbench wrote it before the enums (plain strings), trimmed to two chunks.
WRITTEN_BEFORE = {
    "import_id": "0123456789abcdef",
    "file_path": "/tmp/people.csv",
    "fingerprint": "f" * 64,
    "mapping": [{"column": "Email", "field": "email"}],
    "options": {"dry_run": False},
    "stage": "streaming",
    "counts": {"rows": 20},
    "chunks": [
        {
            "index": 0,
            "offset": 0,
            "rows": 10,
            "size": 900,
            "first_line": 2,
            "last_line": 11,
            "state": "complete",
            "job_id": "J1",
            "intent_at": 1765000000.5,
            "completed_count": 10,
            "failed_count": 0,
            "errors_fetched": True,
            "subscribed": False,
        },
        {
            "index": 1,
            "offset": 900,
            "rows": 10,
            "size": 900,
            "first_line": 12,
            "last_line": 21,
            "state": "submitting",
            "job_id": None,
            "intent_at": 1765000001.5,
            "completed_count": 0,
            "failed_count": 0,
            "errors_fetched": False,
            "subscribed": False,
        },
    ],
    "created_at": 1765000000.0,
    "updated_at": 1765000002.0,
    "version": 2,
}


def test_a_checkpoint_written_before_the_enums_loads_resumes_and_round_trips(tmp_path: Path) -> None:
    ws = Workspace(tmp_path, WRITTEN_BEFORE["import_id"])  # type: ignore[arg-type]
    ws.dir.mkdir(parents=True)
    ws.checkpoint_path.write_text(json.dumps(WRITTEN_BEFORE), encoding="utf-8")
    cp = ws.load()
    assert cp is not None
    assert cp.stage is Stage.STREAMING and not cp.finished
    assert [c.state for c in cp.chunks] == [ChunkStatus.COMPLETE, ChunkStatus.SUBMITTING]
    assert all(type(c.state) is ChunkStatus for c in cp.chunks)
    assert [c.import_id for c in unfinished_imports(tmp_path)] == [cp.import_id]
    assert progress_text(cp) == "it stopped while still checking the file, after sending 10 rows"  # job 1: 10 rows
    ws.save(cp)
    written = json.loads(ws.checkpoint_path.read_text(encoding="utf-8"))
    # the same JSON, plus the account binding an older checkpoint does not have yet (adopted on resume)
    assert {**written, "updated_at": 0} == {**WRITTEN_BEFORE, "updated_at": 0, "target": None}
