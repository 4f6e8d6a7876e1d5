"""The sandbox database holds customer data: 0600 (with its WAL and SHM) in a folder it creates 0700, and a
database an earlier version left 0644 is tightened when it is opened (issue 14 item 7)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from klaviyo_sandbox.engine.store import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_wal_and_shm_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "new" / "sandbox.sqlite3"
        store = Store(db)
        with store.write() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
            conn.execute("INSERT INTO t VALUES (1)")
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert [_mode(f) for f in files if f.exists()] == [0o600] * 3
        assert _mode(db.parent) == 0o700
    finally:
        os.umask(old)


def test_database_of_an_earlier_version_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite3"
    Store(db)
    for path in (db, db.with_name(db.name + "-wal")):
        path.touch()
        path.chmod(0o644)
    Store(db)
    assert _mode(db) == 0o600 and _mode(db.with_name(db.name + "-wal")) == 0o600
