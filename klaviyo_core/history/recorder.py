"""The one writer of the write history: every writer (profiles, tags, labels, events, catalog) calls it.

    with recording(target, PROFILE_IMPORT, "customers.csv") as run:
        ...                                  # the write itself
        run.finish(counts_of(sent=..., ok=...), report_text=csv)   # or report_file=path

Why a context manager: a run is recorded as "running" before its first request, so a crash or a closed
laptop still leaves a trace (read back as "interrupted"); an exception ends it as "failed", or "interrupted"
for a stop the user asked for (KeyboardInterrupt, and the caller's own stop exceptions), and is re-raised
unchanged. Call it only after the write's refusals (target binding, LIVE confirmation): a refused write sent
nothing and is not history. A failure to record never fails the write itself: history is a convenience, the
per-row report the caller already has is the record of truth.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from klaviyo_core.accounts.target import Target, TargetError, is_live, target_or_own
from klaviyo_core.history.records import DONE, FAILED, INTERRUPTED, RunTarget, WriteRecord
from klaviyo_core.history.store import append, store_report_file, store_report_text
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import KlaviyoError

log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Run:
    """A run being recorded: set its counts and report before the `with` block ends."""

    record: WriteRecord
    root: Path | None = None

    def finish(
        self,
        counts: dict[str, int],
        *,
        report_text: str | None = None,
        report_file: Path | None = None,
        status: str = DONE,
        message: str = "",
    ) -> None:
        """Record the outcome (kept in memory until the block ends, so an exception after it still wins)."""
        report = self.record.report
        with contextlib.suppress(OSError):
            account, run_id = self.record.target.account_id, self.record.run_id
            if report_text is not None:
                report = store_report_text(account, run_id, report_text, self.root)
            elif report_file is not None and Path(report_file).is_file():
                report = store_report_file(account, run_id, Path(report_file), self.root)
        self.record = replace(self.record, counts=dict(counts), report=report, status=status, message=message)

    def _end(self, status: str, message: str = "") -> None:
        self.record = replace(self.record, status=status, finished_at=_now(), message=message or self.record.message)
        _append_quietly(self.record, self.root)


def _append_quietly(record: WriteRecord, root: Path | None) -> None:
    try:
        append(record, root)
    except OSError as exc:  # a full or read-only disk must not fail (or hide the outcome of) the write
        log.warning("could not record %s in the write history: %s", record.kind, exc)


@contextlib.contextmanager
def recording(
    target: Target,
    kind: str,
    file_name: str = "",
    *,
    interrupted_by: tuple[type[BaseException], ...] = (),
    root: Path | None = None,
) -> Iterator[Run]:
    """Record one run of a write to `target` (see the module docstring)."""
    record = WriteRecord(
        run_id=f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        started_at=_now(),
        target=RunTarget.of(target),
        file_name=Path(file_name).name if file_name else "",
        pid=os.getpid(),
        host=socket.gethostname(),
    )
    run = Run(record, root)
    stops: tuple[type[BaseException], ...] = (KeyboardInterrupt, *interrupted_by)
    _append_quietly(record, root)
    try:
        yield run
    except stops as exc:
        run._end(INTERRUPTED, str(exc) or "stopped before the end")
        raise
    except BaseException as exc:
        run._end(FAILED, str(exc) or type(exc).__name__)
        raise
    run._end(run.record.status if run.record.status in (DONE, FAILED, INTERRUPTED) else DONE)


def history_target(client: KlaviyoClient, target: Target | None) -> Target:
    """The target a run is filed under: the caller's when it names an account, else the client's own (one
    cached GET /api/accounts). Never fails the write: an account that cannot be identified (a key without
    accounts:read) is filed under "unknown" with its URL."""
    if target is not None and target.account_id:
        return target
    try:
        own = target_or_own(client, None)
    except (KlaviyoError, TargetError):
        url = client.config.base_url
        return Target(target.name if target else url, url, "", "", is_live(url))
    return replace(own, name=target.name) if target is not None and target.name else own
