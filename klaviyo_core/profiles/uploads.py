"""The copies of uploaded CSV files kept under `<data dir>/uploads`, and when they may go.

Why keep a copy at all: a browser upload lives only in the session's memory, and an import interrupted by a
closed tab must be resumable from its checkpoint, which names a file on disk. Why remove it: a copy can be
hundreds of megabytes and every upload made one.

The rule is one: a copy stays while any import that has not finished names it (its checkpoint's
`file_path`), because resuming reads the file again. Otherwise it goes when its import has finished (the
report holds every row's outcome by then), or when it has not been used for `MAX_AGE_SECONDS` (an upload
that was previewed and never imported). Only files inside the uploads folder are ever removed: the CLI
imports files where they lie, and those are the user's.

Which imports count as unfinished is read from the checkpoint files directly rather than through
`checkpoint.unfinished_imports`: every checkpoint whose stage is not "done" protects its file, including one
of another checkpoint version that this build would not offer to resume, since a later build might.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from klaviyo_core.paths import private_dir

UPLOADS_DIR = "uploads"
MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_NAME_BYTES = 200  # of the original name kept in the copy's name; file systems allow 255 bytes in all


def _short_name(name: str) -> str:
    """The upload's own name, cut to MAX_NAME_BYTES of UTF-8 (keeping its extension), so a 245-character
    name from a browser never makes the copy's name too long for the file system."""
    base = Path(name).name or "upload.csv"
    if len(base.encode()) <= MAX_NAME_BYTES:
        return base
    suffix = Path(base).suffix if len(Path(base).suffix.encode()) <= 16 else ""
    room = MAX_NAME_BYTES - len(suffix.encode())
    stem = base[: len(base) - len(suffix)].encode()[:room].decode("utf-8", errors="ignore")
    return stem + suffix


def uploads_dir(data_dir: Path) -> Path:
    return data_dir / UPLOADS_DIR


def save_upload(data_dir: Path, name: str, content: bytes) -> Path:
    """Keep `content` as `<sha256 prefix>-<name>`; the same content again reuses the file already there.

    The write goes to a unique temporary file first, so two sessions saving at once never mix their bytes
    and a file under its final name is always complete.
    """
    folder = uploads_dir(data_dir)
    private_dir(folder)
    final = folder / f"{hashlib.sha256(content).hexdigest()[:16]}-{_short_name(name)}"
    if final.exists():
        mark_used(final, granularity_seconds=0)
        return final
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return final


def upload_name(path: Path | str) -> str:
    """The name the user's file had (a kept copy is named `<sha256 prefix>-<name>`; others keep theirs)."""
    name = Path(path).name
    prefix, sep, rest = name.partition("-")
    if sep and rest and len(prefix) == 16 and all(c in "0123456789abcdef" for c in prefix):
        return rest
    return name


def mark_used(path: Path, granularity_seconds: float = 3600.0) -> None:
    """Reset the file's age, so an upload a session is still working with is not swept as abandoned.

    At most once per `granularity_seconds`: the page calls this on every rerun and keys its preview cache
    on the file's mtime, and a week-long age needs no finer clock.
    """
    try:
        if path.stat().st_mtime < time.time() - granularity_seconds:
            os.utime(path)
    except FileNotFoundError:
        pass


def files_needed_for_resume(data_dir: Path) -> set[Path]:
    """The files named by every import that has not finished (resolved, for comparison)."""
    needed = set()
    for checkpoint in (data_dir / "imports").glob("*/checkpoint.json"):
        try:
            doc = json.loads(checkpoint.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # unreadable: it cannot be resumed, so it cannot need a file
        if isinstance(doc, dict) and doc.get("stage") != "done" and isinstance(doc.get("file_path"), str):
            needed.add(Path(doc["file_path"]).resolve())
    return needed


def _removable(data_dir: Path, path: Path) -> bool:
    folder = uploads_dir(data_dir).resolve()
    resolved = path.resolve()
    return resolved.parent == folder and resolved not in files_needed_for_resume(data_dir)


def release_upload(data_dir: Path, path: Path) -> bool:
    """Remove the kept copy of a file whose import has finished, unless another import still needs it.

    Returns whether it was removed. A path outside the uploads folder is never touched.
    """
    if not _removable(data_dir, path):
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def sweep_uploads(data_dir: Path, max_age_seconds: float = MAX_AGE_SECONDS, now: float | None = None) -> list[Path]:
    """Remove copies (and half-written temporary files) unused for `max_age_seconds` that no unfinished
    import needs; returns what was removed."""
    folder = uploads_dir(data_dir)
    if not folder.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - max_age_seconds
    needed = files_needed_for_resume(data_dir)
    removed = []
    for path in folder.iterdir():
        try:
            if not path.is_file() or path.stat().st_mtime >= cutoff or path.resolve() in needed:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed
