"""Pass two of an import: send the planned jobs, poll them to the end, join import errors back to rows.

Every state change is written to the checkpoint before the next network call, so the process can die at
any point and `run(resume=True)` continues: complete chunks are never re-sent, submitted jobs are polled,
and a chunk whose POST outcome is unknown (`submitting`) is first looked up among the account's recent
jobs (same profile count, created after the attempt, not claimed by another chunk) and adopted if found.
That lookup is also what happens when a job POST fails with a 5xx or a dropped connection: the transport
retries only 429s for this non-idempotent POST, and this module checks before it resubmits (DESIGN §2).
Limitation, written down: two importers sending jobs of the same size to one account at the same second
could adopt each other's job; the workbench runs one import per account at a time.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import ApiError, AuthenticationError, PermissionDenied, ServerError, TransportError
from klaviyo_core.paths import open_private
from klaviyo_core.profiles.checkpoint import FINISHED_CHUNK, Checkpoint, ChunkState, ChunkStatus, Workspace
from klaviyo_core.profiles.jobs import job_bytes, read_chunk_lines
from klaviyo_core.profiles.prepare import read_consent_lines
from klaviyo_core.profiles.progress import Progress, ProgressFn
from klaviyo_core.profiles.report import SUBSCRIBED_FILE

JOBS = "/api/profile-bulk-import-jobs"
SUBSCRIBE = "/api/profile-subscription-bulk-create-jobs"
SUBSCRIBE_BATCH = 1_000
MAX_SUBMIT_ATTEMPTS = 6
_POINTER = re.compile(r"/profiles/data/(\d+)")


class ImportStopped(Exception):
    """Stopped on request or at the deadline; the checkpoint lets a later run resume."""


@dataclass
class Sender:
    """Built in one call (deadline, progress callback and stop flag included); `close()` when done. Without a
    client it can only stop or resume bookkeeping: the first request says a client is needed."""

    client: KlaviyoClient | None
    ws: Workspace
    cp: Checkpoint
    list_id: str | None = None
    subscribe: tuple[str, ...] = ()
    # While the oldest pending job is not done yet. A job GET is limited to 10/s and 150/min, and every job
    # costs one GET to confirm: polling 4 times a second used up the minute's budget on a 100-job import,
    # and the last confirmations then trickled in at 2.5/s. Once a job is done the next is asked at once.
    poll_interval: float = 1.0
    deadline: float = field(default_factory=lambda: time.monotonic() + 3600)
    on_progress: ProgressFn | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    waited: float = 0.0
    started: float = field(default_factory=time.monotonic)
    rows_read: int | None = None  # while the file is still being read (streaming), the rows read so far
    rows_total: int = 0  # data rows in the file (estimated until the first read has counted them)
    scanning: bool = False  # in the first read (counting rows, finding people who appear twice)
    refused: int = 0  # rows the checks refused so far
    consent_notes: Callable[[], tuple[str, ...]] = lambda: ()  # said before consent is sent (pipeline.py)

    def __post_init__(self) -> None:
        if self.client is not None:
            self.client.add_wait_listener(self._on_wait)

    @property
    def api(self) -> KlaviyoClient:
        if self.client is None:
            raise ValueError("Sending needs a client (a key and a target); only a dry run works without one.")
        return self.client

    def close(self) -> None:
        """Stop listening to the (possibly shared, cached) client's waits."""
        if self.client is not None:
            self.client.remove_wait_listener(self._on_wait)

    def _on_wait(self, kind: str, seconds: float, operation_id: str) -> None:
        self.waited += float(seconds)

    # -- progress ----------------------------------------------------------------------------------------
    def note_reading(self, rows: int | None, scanning: bool = False, problems: int = 0) -> None:
        """Rows read so far while jobs are cut and sent (None once the whole file is read).

        The first read counts every row of the file (the total is an estimate until then), so the second
        can say "n of N".
        """
        if rows is None:
            self.rows_read = None
            return
        if scanning:
            self.rows_total = max(self.rows_total, rows)
        elif self.scanning:
            self.rows_total = self.rows_read or rows  # the first read's count is exact
        self.rows_read, self.scanning, self.refused = rows, scanning, problems
        self.report("reading" if not self.cp.chunks else "sending")

    def report(self, stage: str, message: str = "") -> None:
        if not self.on_progress:
            return
        chunks = self.cp.chunks
        sent = sum(c.rows for c in chunks if c.state in (ChunkStatus.SUBMITTED, *FINISHED_CHUNK))
        total = sum(c.rows for c in chunks)
        done = sum(1 for c in chunks if c.state in FINISHED_CHUNK)
        elapsed = time.monotonic() - self.started
        eta = None
        if done and done < len(chunks) and self.rows_read is None:
            eta = elapsed / done * (len(chunks) - done)
        progress = Progress(
            stage,
            rows_to_send=total,
            rows_sent=sent,
            jobs_total=len(chunks),
            jobs_submitted=sum(1 for c in chunks if c.job_id),
            jobs_complete=done,
            wait_seconds=round(self.waited, 3),
            eta_seconds=eta,
            message=message,
            reading=self.rows_read is not None,
            rows_read=self.rows_read or 0,
            rows_total=self.rows_total,
            scanning=self.scanning and self.rows_read is not None,
            problems=(self.refused if self.rows_read is not None else self.cp.counts.get("rejected", 0))
            + sum(c.failed_count or 0 for c in chunks),
            rows_confirmed=sum(c.rows for c in chunks if c.state in FINISHED_CHUNK),
        )
        self.on_progress(progress)

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise ImportStopped("The import was stopped; resume it to continue where it left off.")
        if time.monotonic() > self.deadline:
            raise ImportStopped("The import did not finish before its deadline; resume it to keep waiting.")

    # -- submit ------------------------------------------------------------------------------------------
    def _body(self, chunk: ChunkState) -> bytes:
        return job_bytes(read_chunk_lines(self.ws.send_path, chunk)[1], self.list_id)

    def submit_all(self) -> None:
        """Submit chunks one by one, in order; the next body is read while the current POST is in flight."""
        todo = [c for c in self.cp.chunks if c.state in (ChunkStatus.PLANNED, ChunkStatus.SUBMITTING)]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="job-body") as pool:
            upcoming: Future[bytes] | None = pool.submit(self._body, todo[0]) if todo else None
            for i, chunk in enumerate(todo):
                self.check_stop()
                assert upcoming is not None
                body = upcoming.result()
                upcoming = pool.submit(self._body, todo[i + 1]) if i + 1 < len(todo) else None
                self.submit_one(chunk, body)
                self.report("sending")

    def submit_one(self, chunk: ChunkState, body: bytes) -> None:
        """POST one job (or adopt the job an earlier attempt created); the checkpoint records every step."""
        if chunk.state == ChunkStatus.SUBMITTING and self._adopt_orphan(chunk):
            return
        last: Exception | None = None
        for _ in range(MAX_SUBMIT_ATTEMPTS):
            chunk.state, chunk.intent_at = ChunkStatus.SUBMITTING, time.time()
            self.ws.save(self.cp)
            try:
                doc = self.api.post_encoded(JOBS, body)
            except (TransportError, ServerError) as exc:
                last = exc
                if self._adopt_orphan(chunk):
                    return
                continue
            except ApiError as exc:
                if isinstance(exc, (AuthenticationError, PermissionDenied)) or exc.status in (404, 429):
                    raise
                self._refuse_chunk(chunk, exc)
                return
            chunk.job_id, chunk.state = doc["data"]["id"], ChunkStatus.SUBMITTED
            self.ws.save(self.cp)
            return
        assert last is not None
        raise last

    def _refuse_chunk(self, chunk: ChunkState, exc: ApiError) -> None:
        """Klaviyo refused the whole job (400): its rows are reported as refused, the import goes on."""
        detail = "; ".join(str(e.get("detail") or e.get("title")) for e in exc.errors[:3]) or str(exc)
        lines, _ = read_chunk_lines(self.ws.send_path, chunk)
        with open_private(self.ws.klaviyo_path, "a", encoding="utf-8") as f:
            for line in lines:
                f.write(_json_line(line, f"Klaviyo refused the whole job this row was in: {detail}"))
        chunk.state, chunk.failed_count, chunk.errors_fetched = ChunkStatus.CANCELLED, chunk.rows, True
        self.ws.save(self.cp)

    def _recent_jobs(self, since: float) -> Iterator[dict[str, Any]]:
        params = {"sort": "-created_at", "page[size]": 100}
        for job in self.api.iter_resources(JOBS, params):
            if _epoch(job["attributes"]["created_at"]) < since - 120:
                return
            yield job

    def _adopt_orphan(self, chunk: ChunkState) -> bool:
        """A job created for this chunk whose 202 never arrived: adopt it instead of sending again."""
        claimed = {c.job_id for c in self.cp.chunks if c.job_id}
        for job in self._recent_jobs(chunk.intent_at or 0):
            attrs = job["attributes"]
            fits = attrs["total_count"] == chunk.rows and _epoch(attrs["created_at"]) >= (chunk.intent_at or 0) - 5
            if job["id"] not in claimed and fits:
                chunk.job_id, chunk.state = job["id"], ChunkStatus.SUBMITTED
                self.ws.save(self.cp)
                return True
        return False

    # -- poll --------------------------------------------------------------------------------------------
    def poll_all(self) -> None:
        pending = [c for c in self.cp.chunks if c.state == ChunkStatus.SUBMITTED]
        while pending:
            self.check_stop()  # also between jobs Klaviyo has already finished (a Stop pressed while confirming)
            chunk = pending[0]
            attrs = self.api.get(f"{JOBS}/{chunk.job_id}")["data"]["attributes"]
            if attrs["status"] in FINISHED_CHUNK:
                chunk.completed_count = int(attrs.get("completed_count") or 0)
                chunk.failed_count = int(attrs.get("failed_count") or 0)
                if attrs["status"] == ChunkStatus.CANCELLED:
                    self._cancelled(chunk)
                chunk.state = ChunkStatus(attrs["status"])
                self.ws.save(self.cp)
                pending.pop(0)
                self.report("waiting")
                if pending:  # while later jobs still run, this one's import errors cost no extra time
                    self._fetch_one(chunk)
                continue
            self.check_stop()
            self.stop.wait(self.poll_interval)

    def _cancelled(self, chunk: ChunkState) -> None:
        lines, _ = read_chunk_lines(self.ws.send_path, chunk)
        with open_private(self.ws.klaviyo_path, "a", encoding="utf-8") as f:
            for line in lines:
                f.write(_json_line(line, "Klaviyo cancelled the import job this row was in; import it again"))
        chunk.errors_fetched = True

    # -- import errors -----------------------------------------------------------------------------------
    def fetch_errors(self) -> None:
        for chunk in self.cp.chunks:
            self._fetch_one(chunk)

    def _fetch_one(self, chunk: ChunkState) -> None:
        """A completed job's import errors, joined back to rows, once (the checkpoint remembers)."""
        if chunk.state == ChunkStatus.COMPLETE and chunk.failed_count and not chunk.errors_fetched:
            self._fetch_chunk_errors(chunk)
            chunk.errors_fetched = True
            self.ws.save(self.cp)
            self.report("errors")

    def _fetch_chunk_errors(self, chunk: ChunkState) -> None:
        """Join one job's import errors to file lines, by their pointer; by identity only if one has none.

        The identity index parses every profile of the job (~10,000 JSON documents, most of the time this
        step took), so it is built only for an error whose pointer does not name a row of the job.
        """
        lines, profiles = read_chunk_lines(self.ws.send_path, chunk)
        identities = functools.cache(lambda: _identity_index(lines, profiles))
        path = f"{JOBS}/{chunk.job_id}/import-errors"
        with open_private(self.ws.klaviyo_path, "a", encoding="utf-8") as f:
            for item in self.api.iter_resources(path, {"page[size]": 100}):
                attrs = item["attributes"]
                line = _error_line(attrs, lines, identities)
                reason = " ".join(str(attrs.get(k) or "") for k in ("title", "detail")).strip()
                if line is not None:
                    f.write(_json_line(line, f"Klaviyo: {reason}"))

    # -- consent -----------------------------------------------------------------------------------------
    def subscribe_all(self, refused: set[int]) -> None:
        """Explicit consent for the chosen channels: on every sent row, or, where the file has a consent
        column for a channel (consent.email / consent.sms), only on the rows whose cell says yes."""
        if not self.subscribe:
            return
        consent = {ch: read_consent_lines(self.ws.dir, ch) for ch in self.subscribe}
        for chunk in self.cp.chunks:
            if chunk.state == ChunkStatus.COMPLETE and not chunk.subscribed:
                self.check_stop()
                lines, profiles = read_chunk_lines(self.ws.send_path, chunk)
                rows = [(line, p) for line, p in zip(lines, profiles, strict=True) if line not in refused]
                wanted = [_consented(line, self.subscribe, consent) for line, _ in rows]
                for start in range(0, len(rows), SUBSCRIBE_BATCH):
                    batch = rows[start : start + SUBSCRIBE_BATCH]
                    body, given = subscribe_request([p for _, p in batch], wanted[start : start + SUBSCRIBE_BATCH])
                    if self.list_id:
                        body["data"]["relationships"] = {"list": {"data": {"type": "list", "id": self.list_id}}}
                    if body["data"]["attributes"]["profiles"]["data"]:
                        self.api.post(SUBSCRIBE, body, idempotent=True)  # subscribing twice is harmless
                    self._record_subscribed([line for line, _ in batch], given)
                chunk.subscribed = True
                self.ws.save(self.cp)
                self.report("subscribing")

    def _record_subscribed(self, lines: list[int], given: list[tuple[str, ...]]) -> None:
        """Which channels each row was subscribed to, for the report's `subscribed` column."""
        with (self.ws.dir / SUBSCRIBED_FILE).open("a", encoding="utf-8") as f:
            f.write("".join(f"{line}\t{','.join(chs)}\n" for line, chs in zip(lines, given, strict=True) if chs))


def _consented(line: int, channels: tuple[str, ...], consent: dict[str, np.ndarray | None]) -> tuple[str, ...]:
    """The chosen channels this row consents to: all of them unless a channel has a consent column."""
    out = []
    for ch in channels:
        yes = consent.get(ch)
        if yes is None or (len(yes) and yes[min(int(np.searchsorted(yes, line)), len(yes) - 1)] == line):
            out.append(ch)
    return tuple(out)


def subscribe_request(
    profiles: list[str], channels: list[tuple[str, ...]]
) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    """(the subscription job body, the channels each profile got): explicit consent (SUBSCRIBED) per
    profile for its channels, only where the profile has that channel's identifier."""
    items = []
    given: list[tuple[str, ...]] = []
    for text, chosen in zip(profiles, channels, strict=True):
        attrs = json.loads(text)["attributes"] if chosen else {}
        subs: dict[str, Any] = {}
        ident: dict[str, str] = {}
        if "email" in chosen and attrs.get("email"):
            subs["email"] = {"marketing": {"consent": "SUBSCRIBED"}}
            ident["email"] = attrs["email"]
        if "sms" in chosen and attrs.get("phone_number"):
            subs["sms"] = {"marketing": {"consent": "SUBSCRIBED"}}
            ident["phone_number"] = attrs["phone_number"]
        given.append(tuple(subs))
        if subs:
            items.append({"type": "profile", "attributes": {**ident, "subscriptions": subs}})
    data: dict[str, Any] = {
        "type": "profile-subscription-bulk-create-job",
        "attributes": {"profiles": {"data": items}},
    }
    return {"data": data}, given


def subscribe_body(profiles: list[str], channels: tuple[str, ...], list_id: str | None) -> dict[str, Any]:
    """Explicit consent (SUBSCRIBED) per chosen channel, only for profiles that have that channel."""
    body, _ = subscribe_request(profiles, [channels] * len(profiles))
    if list_id:
        body["data"]["relationships"] = {"list": {"data": {"type": "list", "id": list_id}}}
    return body


def _json_line(line: int, reason: str) -> str:
    return json.dumps({"row": line, "status": "rejected_by_klaviyo", "reason": reason}) + "\n"


def _identity_index(lines: list[int], profiles: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for line, text in zip(lines, profiles, strict=True):
        attrs = json.loads(text)["attributes"]
        for key in ("email", "phone_number", "external_id"):
            if attrs.get(key):
                found.setdefault(f"{key}:{str(attrs[key]).lower()}", line)
    return found


def _error_line(attrs: dict[str, Any], lines: list[int], identities: Callable[[], dict[str, int]]) -> int | None:
    """The file line of an import error: by its pointer's index, else by the identifiers in its payload
    (`identities()` gives the job's identity index; it is called only then)."""
    pointer = (attrs.get("source") or {}).get("pointer") or ""
    if match := _POINTER.search(pointer):
        index = int(match.group(1))
        if 0 <= index < len(lines):
            return lines[index]
    payload = attrs.get("original_payload") or {}
    payload = payload.get("attributes", payload) if isinstance(payload, dict) else {}
    for key in ("email", "phone_number", "external_id"):
        if payload.get(key):
            line = identities().get(f"{key}:{str(payload[key]).lower()}")
            if line is not None:
                return line
    return None


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def sent_rows_refused(ws: Workspace) -> set[int]:
    if not ws.klaviyo_path.exists():
        return set()
    with ws.klaviyo_path.open(encoding="utf-8") as f:
        return {int(json.loads(t)["row"]) for t in f}
