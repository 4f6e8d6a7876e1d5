"""Pass one of an import: read, validate, de-duplicate and plan the jobs, all before anything is sent.

Streams the CSV chunk by chunk, so memory stays flat: valid rows are spooled to disk as ready JSON, rejected
rows to rejected.jsonl, and only a 64-bit hash of each row's identity key is kept in memory (8 bytes a row)
to find in-file duplicates once the whole file has been seen ("last wins" needs the end of the file).
Then the spool is filtered into send.jsonl and cut into jobs by profile count and bytes. The plan is
deterministic for a given file, mapping and options, which is what makes resuming safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from klaviyo_core.checkpoint import ChunkState
from klaviyo_core.csv_reader import Chunk, CsvError, CsvReader
from klaviyo_core.mapping import Mapping
from klaviyo_core.validation import ValidationOptions, profile_json, validate_chunk

MAX_PROFILES_PER_JOB = 10_000
PREPARE_CHUNK_ROWS = 20_000  # rows validated at a time: bounds peak memory whatever the file size
MAX_JOB_BYTES = 4_000_000  # compact JSON; the wire adds separators and the envelope, the cap is 5 MB
MAX_PROFILE_BYTES = 90_000  # Klaviyo's cap is 100 KB per profile; leave room for the wire format


@dataclass(frozen=True)
class Limits:
    profiles_per_job: int = MAX_PROFILES_PER_JOB
    job_bytes: int = MAX_JOB_BYTES
    profile_bytes: int = MAX_PROFILE_BYTES


@dataclass
class Prepared:
    counts: dict[str, int]  # rows, valid, rejected, skipped_duplicate, to_send
    chunks: list[ChunkState]
    columns: tuple[str, ...]
    warnings: tuple[str, ...]


ProgressFn = Callable[[int], None]  # rows read so far


def _problem_reasons(problems: pd.DataFrame) -> pd.Series:
    """One reason text per rejected row, naming each bad column and value."""
    text = problems["reason"].where(
        problems["column"] == "",
        "column '" + problems["column"] + "' value '" + problems["value"] + "' " + problems["reason"],
    )
    return text.groupby(problems["row"], sort=True).agg("; ".join)


def _write_rejected(f, rows: pd.Series, status: str = "rejected") -> None:  # type: ignore[no-untyped-def]
    for row, reason in rows.items():
        f.write(json.dumps({"row": int(row), "status": status, "reason": reason}) + "\n")


def _spool_chunk(chunk: Chunk, mapping: Mapping, options: ValidationOptions, limits: Limits, files: dict) -> tuple:  # type: ignore[type-arg]
    rejected = files["rejected"]
    for ragged in chunk.ragged:
        rejected.write(json.dumps({"row": ragged.line, "status": "rejected", "reason": ragged.reason}) + "\n")
    for line in chunk.empty_lines:
        rejected.write(json.dumps({"row": line, "status": "rejected", "reason": "the row is empty"}) + "\n")
    result = validate_chunk(chunk.frame, mapping, options)
    if not result.problems.empty:
        _write_rejected(rejected, _problem_reasons(result.problems))
    profiles = profile_json(result.values, result.valid_index)
    sizes = profiles.str.len()
    too_big = sizes > limits.profile_bytes
    if too_big.any():
        reason = "the profile is larger than Klaviyo's 100 KB limit; shorten the longest cells"
        _write_rejected(rejected, pd.Series(reason, index=profiles.index[too_big]))
        profiles, sizes = profiles[~too_big], sizes[~too_big]
    keys = result.keys[~too_big.to_numpy()] if too_big.any() else result.keys
    lines = profiles.index.to_numpy(dtype=np.int64)
    spooled = (profiles.index.astype(str) + "\t" + profiles + "\n").tolist()
    files["spool"].write("".join(spooled))  # all ASCII (JSON escapes the rest), so chars == bytes
    files["sizes"].append(sizes.to_numpy(dtype=np.int64))
    files["line_bytes"].append(np.fromiter(map(len, spooled), dtype=np.int64, count=len(spooled)))
    hashes = pd.util.hash_pandas_object(keys, index=False).to_numpy() if len(keys) else np.array([], np.uint64)
    counted = len(chunk.frame) + len(chunk.ragged) + len(chunk.empty_lines)
    return lines, hashes, keys, counted, len(chunk.frame) - len(result.rejected_rows) - int(too_big.sum())


def _duplicates(lines: np.ndarray, hashes: np.ndarray, keep: str) -> pd.Series:
    """Losing line -> winning line, for rows whose identity repeats an earlier (or later) row."""
    frame = pd.DataFrame({"line": lines, "hash": hashes})
    lose = frame["hash"].duplicated(keep=keep)
    if not lose.any():
        return pd.Series([], dtype="int64")
    winners = frame[~frame["hash"].duplicated(keep=keep)].set_index("hash")["line"]
    losers = frame[lose]
    return pd.Series(winners.loc[losers["hash"]].to_numpy(), index=losers["line"].to_numpy())


def _cut(lines: np.ndarray, sizes: np.ndarray, line_bytes: np.ndarray, limits: Limits) -> list[ChunkState]:
    """Consecutive jobs of at most `profiles_per_job` profiles and `job_bytes` bytes (sizes + commas)."""
    chunks: list[ChunkState] = []
    offsets = np.concatenate(([0], np.cumsum(line_bytes)))
    weights = np.concatenate(([0], np.cumsum(sizes + 1)))
    start, n = 0, len(lines)
    while start < n:
        by_bytes = int(np.searchsorted(weights, weights[start] + limits.job_bytes, side="right")) - 1
        end = min(start + limits.profiles_per_job, max(by_bytes, start + 1), n)
        size = int(weights[end] - weights[start])
        chunks.append(
            ChunkState(len(chunks), int(offsets[start]), end - start, size, int(lines[start]), int(lines[end - 1]))
        )
        start = end
    return chunks


def _plan(spool: Path, send: Path, losers: set[int], arrays: dict[str, np.ndarray], limits: Limits) -> list[ChunkState]:
    lines, sizes, line_bytes = arrays["lines"], arrays["sizes"], arrays["line_bytes"]
    if not losers:
        spool.replace(send)  # nothing to drop: the spool is the send file
        return _cut(lines, sizes, line_bytes, limits)
    keep = ~np.isin(lines, np.fromiter(losers, dtype=np.int64))
    with spool.open("rb") as src, send.open("wb") as out:
        for raw, kept in zip(src, keep.tolist(), strict=True):
            if kept:
                out.write(raw)
    spool.unlink()
    return _cut(lines[keep], sizes[keep], line_bytes[keep], limits)


@dataclass
class _Seen:
    """Per valid row, 8-24 bytes kept in memory: line, identity hash, profile size, spool line size."""

    lines: list[np.ndarray] = field(default_factory=list)
    hashes: list[np.ndarray] = field(default_factory=list)
    sizes: list[np.ndarray] = field(default_factory=list)
    line_bytes: list[np.ndarray] = field(default_factory=list)
    rows: int = 0
    valid: int = 0

    def joined(self, name: str, dtype: type) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.array([], dtype)


def _read_all(
    path: Path, mapping: Mapping, options: ValidationOptions, limits: Limits, workdir: Path, on_rows
) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    seen = _Seen()
    with (
        CsvReader(path, chunk_rows=PREPARE_CHUNK_ROWS) as reader,
        (workdir / "spool.jsonl").open("w", encoding="utf-8") as spool_f,
        (workdir / "rejected.jsonl").open("w", encoding="utf-8") as rejected_f,
    ):
        missing = [c.column for c in mapping.active() if c.column not in reader.header.columns]
        if missing:
            raise ValueError(f"The mapping names columns this file does not have: {', '.join(missing)}.")
        files = {"spool": spool_f, "rejected": rejected_f, "sizes": seen.sizes, "line_bytes": seen.line_bytes}
        for chunk in reader:
            lines, hashes, _keys, counted, ok = _spool_chunk(chunk, mapping, options, limits, files)
            seen.lines.append(lines)
            seen.hashes.append(hashes)
            seen.rows += counted
            seen.valid += ok
            if on_rows:
                on_rows(seen.rows)
        if seen.rows == 0:
            raise CsvError("The file has a header row but no data rows: there is nothing to import.")
        dups = _duplicates(seen.joined("lines", np.int64), seen.joined("hashes", np.uint64), options.keep)
        reasons = (
            "the same person as line " + dups.astype(str) + f", which is imported instead (the {options.keep} row wins)"
        )
        _write_rejected(rejected_f, reasons, status="skipped_duplicate")
    return seen, dups, reader.header


def prepare(
    path: Path,
    mapping: Mapping,
    options: ValidationOptions,
    workdir: Path,
    limits: Limits | None = None,
    on_rows: ProgressFn | None = None,
) -> Prepared:
    limits = limits or Limits()
    workdir.mkdir(parents=True, exist_ok=True)
    seen, dups, header = _read_all(path, mapping, options, limits, workdir, on_rows)
    arrays = {
        "lines": seen.joined("lines", np.int64),
        "sizes": seen.joined("sizes", np.int64),
        "line_bytes": seen.joined("line_bytes", np.int64),
    }
    chunks = _plan(workdir / "spool.jsonl", workdir / "send.jsonl", set(dups.index.tolist()), arrays, limits)
    counts = {
        "rows": seen.rows,
        "valid": seen.valid,
        "rejected": seen.rows - seen.valid,
        "skipped_duplicate": len(dups),
        "to_send": seen.valid - len(dups),
        "jobs": len(chunks),
    }
    return Prepared(counts, chunks, header.columns, header.warnings)


def read_chunk_lines(send_path: Path, chunk: ChunkState) -> tuple[list[int], list[str]]:
    """(file lines, profile JSON strings) of one planned chunk."""
    lines: list[int] = []
    profiles: list[str] = []
    with send_path.open("rb") as f:
        f.seek(chunk.offset)
        for _ in range(chunk.rows):
            line, _, profile = f.readline().decode("utf-8").rstrip("\n").partition("\t")
            lines.append(int(line))
            profiles.append(profile)
    return lines, profiles


def job_bytes(profiles: list[str], list_id: str | None) -> bytes:
    """The same body as `job_body`, as compact JSON bytes joined from the spooled profiles (nothing parsed).

    The spooled profiles are JSON objects written by `profile_json` (ASCII, escapes included), so joining
    them is exact; sending these bytes saves parsing 10,000 profiles and `requests` re-encoding them.
    """
    head = '{"data":{"type":"profile-bulk-import-job","attributes":{"profiles":{"data":['
    tail = "]}}"
    if list_id:
        tail += ',"relationships":{"lists":{"data":[' + json.dumps({"type": "list", "id": list_id}) + "]}}"
    return (head + ",".join(profiles) + tail + "}}").encode("utf-8")


def job_body(profiles: list[str], list_id: str | None) -> dict:  # type: ignore[type-arg]
    """The exact JSON:API body of one bulk import job (parsed once, in C, from the spooled profiles)."""
    data: dict = {  # type: ignore[type-arg]
        "type": "profile-bulk-import-job",
        "attributes": {"profiles": {"data": json.loads("[" + ",".join(profiles) + "]")}},
    }
    if list_id:
        data["relationships"] = {"lists": {"data": [{"type": "list", "id": list_id}]}}
    return {"data": data}
