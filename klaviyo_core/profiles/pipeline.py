"""CSV -> Klaviyo profiles: the one entry point the page, the CLI and the bench use.

    result = import_profiles(client, "customers.csv", mapping, ImportOptions(list_id="Y6nRLr"), data_dir=...)

Pass one (prepare.py) reads, validates, de-duplicates and plans jobs without sending anything; a dry run
stops there and offers the exact JSON of the first job. Pass two (sender.py) submits the jobs, polls them
to the end, joins import errors back to rows and, if asked, subscribes with explicit consent. The report
(report.py) accounts for every row exactly once. A checkpoint (checkpoint.py) makes all of it
resumable. Helpers: `klaviyo_core.csvfile`, mapping.py, validate.py (with fields.py and arrow_text.py).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from klaviyo_core import paths
from klaviyo_core.accounts.confirm import LiveConfirmation
from klaviyo_core.accounts.target import Target
from klaviyo_core.csvfile.sniff import detect_format, file_fingerprint
from klaviyo_core.history import PROFILE_IMPORT, Run, counts_of, recording
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import KlaviyoError
from klaviyo_core.profiles.binding import guard_send
from klaviyo_core.profiles.checkpoint import (
    UNFINISHED,
    Checkpoint,
    Stage,
    Workspace,
    import_id_for,
)
from klaviyo_core.profiles.jobs import JobFn, Limits, job_body, read_chunk_lines
from klaviyo_core.profiles.mapping import Mapping, MappingError
from klaviyo_core.profiles.prepare import OnChecked, OnRows, Prepared, prepare
from klaviyo_core.profiles.progress import Progress, ProgressFn, estimate_rows, progress_text
from klaviyo_core.profiles.report import write_report
from klaviyo_core.profiles.sender import ImportStopped, Sender, sent_rows_refused
from klaviyo_core.profiles.streaming import Producer, stream
from klaviyo_core.profiles.uploads import upload_name
from klaviyo_core.profiles.validate import ValidationOptions

CHANNELS = ("email", "sms")
DECIMALS = ("auto", "comma", "dot")


@dataclass(frozen=True)
class ImportOptions:
    default_country: str = "US"
    keep: str = "last"  # in-file duplicates: "last" or "first" row wins
    list_id: str | None = None
    subscribe: tuple[str, ...] = ()  # explicit consent for these channels ("email", "sms")
    dry_run: bool = False
    on_bad_field: str = "skip-field"  # a bad optional cell: "skip-field" (leave it out) or "reject-row"
    decimal: str = "auto"  # numbers' decimal mark: "auto" (comma in a semicolon file), "comma" or "dot"

    def __post_init__(self) -> None:
        unknown = set(self.subscribe) - set(CHANNELS)
        if unknown:
            raise ValueError(f"Unknown consent channel(s) {sorted(unknown)}; use {', '.join(CHANNELS)}.")
        if self.decimal not in DECIMALS:
            raise ValueError(f"decimal must be one of {', '.join(DECIMALS)}, not '{self.decimal}'.")
        ValidationOptions(self.default_country, self.keep, self.on_bad_field)  # raises on a bad value

    @property
    def validation(self) -> ValidationOptions:
        return ValidationOptions(self.default_country.upper(), self.keep, self.on_bad_field, self.decimal == "comma")

    def validation_for(self, path: Path) -> ValidationOptions:
        """The validation options for this file: with "auto", a semicolon file's numbers use decimal commas."""
        comma = self.decimal == "comma" or (self.decimal == "auto" and detect_format(path).delimiter == ";")
        return ValidationOptions(self.default_country.upper(), self.keep, self.on_bad_field, comma)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportResult:
    import_id: str
    counts: Counter[str]
    report_path: Path | None
    finished: bool
    workspace: Path
    plan: dict[str, int] = field(default_factory=dict)
    first_job: dict[str, Any] | None = None  # the exact body of the first job (dry run preview)
    warnings: tuple[str, ...] = ()
    consent: tuple[str, ...] = ()  # "N of M rows will be subscribed (column X)" per chosen channel

    @property
    def warned(self) -> int:
        """Rows kept with a field left out (a bad optional cell); the report says which field."""
        return int(self.plan.get("warned", 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def all_imported(self) -> bool:
        good = self.counts["imported"] + self.counts["valid"]
        return self.finished and good == self.total


class UnfinishedImport(Exception):
    """An earlier import of the same file with the same mapping/options has not finished."""

    def __init__(self, checkpoint: Checkpoint) -> None:
        super().__init__(
            f"An unfinished import of this file exists ({progress_text(checkpoint)}). "
            "Resume it to continue without re-sending anything, or restart it."
        )
        self.checkpoint = checkpoint


def _start(ws: Workspace, cp: Checkpoint | None, resume: bool, restart: bool, fresh: Checkpoint) -> Checkpoint:
    if cp is not None and cp.stage in UNFINISHED and not resume and not restart:
        raise UnfinishedImport(cp)
    if cp is None or restart or cp.stage in (Stage.NEW, Stage.DONE):
        ws.reset_files()
        return fresh
    if cp.stage in (Stage.PREPARED, Stage.SENDING) and not ws.send_path.exists():
        ws.reset_files()
        return fresh
    return cp  # "streaming" reads the file again and sends only the jobs not sent yet


def _prepare_dry(
    ws: Workspace,
    cp: Checkpoint,
    path: Path,
    mapping: Mapping,
    options: ImportOptions,
    limits: Limits | None,
    on_progress: ProgressFn | None,
) -> tuple[str, ...]:
    """Pass one alone (a dry run), unless the checkpoint says it already ran; returns the header warnings."""
    if cp.stage != Stage.NEW:
        return ()

    total = estimate_rows(path)

    def scanned(n: int) -> None:
        nonlocal total
        total = max(total, n)
        if on_progress:
            on_progress(Progress("reading", reading=True, rows_read=n, rows_total=total, scanning=True, dry_run=True))

    def checked(n: int, refused: int) -> None:
        if on_progress:
            on_progress(
                Progress("reading", reading=True, rows_read=n, rows_total=total, problems=refused, dry_run=True)
            )

    scanned(0)
    prepared = prepare(path, mapping, options.validation_for(path), ws.dir, limits, on_rows=checked, on_scan=scanned)
    total = prepared.counts["rows"]
    if on_progress:
        on_progress(Progress("checked", rows_total=total, problems=prepared.counts["rejected"], dry_run=True))
    cp.counts, cp.chunks, cp.stage = prepared.counts, prepared.chunks, Stage.PREPARED
    ws.save(cp)
    return prepared.warnings


def _producer(
    path: Path, mapping: Mapping, options: ImportOptions, ws: Workspace, limits: Limits | None, workers: int | None
) -> Producer:
    def produce(on_scan: OnRows, on_job: JobFn, on_rows: OnChecked) -> Prepared:
        return prepare(
            path,
            mapping,
            options.validation_for(path),
            ws.dir,
            limits,
            on_rows=on_rows,
            workers=workers,
            on_job=on_job,
            on_scan=on_scan,
        )

    return produce


def history_counts(counts: Counter[str]) -> dict[str, int]:
    """The report's statuses as the write history's four counts (rows still pending count in none)."""
    return counts_of(
        sent=counts["imported"] + counts["rejected_by_klaviyo"],
        ok=counts["imported"],
        failed=counts["rejected"] + counts["rejected_by_klaviyo"],
        skipped=counts["skipped_duplicate"],
    )


def _send(
    sender: Sender, path: Path, report: Path, produce: Producer | None, run: Run
) -> tuple[Counter[str], tuple[str, ...]]:
    """Pass one while sending (unless it already ran), then pass two; whatever stops it, the report is
    written (rows not finished say "pending") and kept in the write history."""
    ws, cp = sender.ws, sender.cp
    warnings: tuple[str, ...] = ()
    try:
        if produce is not None:
            prepared = stream(sender, produce)
            cp.counts, warnings = prepared.counts, prepared.warnings
        cp.stage = Stage.SENDING
        ws.save(cp)
        sender.submit_all()
        sender.poll_all()
        sender.fetch_errors()
        for note in sender.consent_notes():
            sender.report("consent", note)  # "N of M rows will be subscribed (column X)", before it is sent
        sender.subscribe_all(sent_rows_refused(ws))
    except (ImportStopped, KlaviyoError):
        run.finish(history_counts(write_report(path, ws, cp, report)), report_file=report)
        raise
    finally:
        sender.close()
    sender.report("report")
    counts = write_report(path, ws, cp, report)
    run.finish(history_counts(counts), report_file=report)
    _finish(ws, cp)
    sender.report("done")
    return counts, warnings


def _finish(ws: Workspace, cp: Checkpoint) -> None:
    """Mark the import done and drop the spooled profiles (as large as the file); the report stays."""
    cp.stage = Stage.DONE
    ws.save(cp)
    ws.send_path.unlink(missing_ok=True)


def import_profiles(
    client: KlaviyoClient | None,
    path: Path | str,
    mapping: Mapping,
    options: ImportOptions,
    *,
    data_dir: Path | None = None,
    report_path: Path | None = None,
    resume: bool = False,
    restart: bool = False,
    on_progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    deadline_seconds: float = 3600.0,
    poll_interval: float = 1.0,
    limits: Limits | None = None,
    workers: int | None = None,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    adopt: bool = False,
) -> ImportResult:
    """Import (or dry-run) one CSV. Raises CsvError/MappingError/ValueError for bad input, the client's
    ApiError/TransportError for API trouble, UnfinishedImport, and ImportStopped (resumable). `workers`: processes
    that read the file (None: 2 for a large file on a multi-core machine, else 1).

    Before anything is sent: the import is bound to `target` (None: the client's account), a resume on another
    account raises TargetMismatch and one from an older version OlderCheckpoint (unless `adopt`), and a LIVE
    target needs a fresh `confirmation` (LiveWriteNotConfirmed); each refusal sends nothing."""
    path = Path(path)
    if not mapping.has_identifier():
        raise MappingError("Map at least one column to email, phone_number or external_id.")
    file_id = file_fingerprint(path)
    import_id = import_id_for(file_id, mapping.to_json(), options.to_json())
    ws = Workspace(data_dir or paths.data_dir("profiles"), import_id)
    with ws.lock(str(path)):  # one run per import at a time (see Workspace.lock)
        fresh = Checkpoint(import_id, str(path), file_id, mapping.to_json(), options.to_json())
        cp = _start(ws, ws.load(), resume, restart, fresh)
        current = None if options.dry_run else guard_send(client, cp, cp is fresh, target, confirmation, adopt)
        report = report_path or ws.dir / "report.csv"
        if options.dry_run:
            warnings = _prepare_dry(ws, cp, path, mapping, options, limits, on_progress)
            first_job = (
                job_body(read_chunk_lines(ws.send_path, cp.chunks[0])[1], options.list_id) if cp.chunks else None
            )
            counts = write_report(path, ws, cp, report, dry_run=True)
            _finish(ws, cp)
            notes = consent_notes(cp.counts, mapping, options.subscribe)
            return ImportResult(import_id, counts, report, True, ws.dir, cp.counts, first_job, warnings, notes)
        sender = Sender(
            client,
            ws,
            cp,
            options.list_id,
            options.subscribe,
            poll_interval,
            rows_total=estimate_rows(path),  # the bar moves before the first read has counted the rows
            deadline=time.monotonic() + deadline_seconds,
            on_progress=on_progress,
            stop=stop or threading.Event(),
            consent_notes=lambda: consent_notes(cp.counts, mapping, options.subscribe),
        )
        streaming = cp.stage in (Stage.NEW, Stage.STREAMING)
        produce = _producer(path, mapping, options, ws, limits, workers) if streaming else None
        assert current is not None  # not a dry run: guard_send answered
        with recording(current, PROFILE_IMPORT, upload_name(path), interrupted_by=(ImportStopped,)) as run:
            counts, warnings = _send(sender, path, report, produce, run)
        notes = consent_notes(cp.counts, mapping, options.subscribe)
        return ImportResult(import_id, counts, report, True, ws.dir, cp.counts, None, warnings, notes)


def consent_notes(counts: dict[str, int], mapping: Mapping, subscribe: tuple[str, ...]) -> tuple[str, ...]:
    """What a consent tick will do, per chosen channel, from pass one's counts: "N of M rows will be
    subscribed to email (column X)", or how many rows a file-wide tick covers when there is no column."""
    columns = mapping.consent_columns()
    rows, sent = counts.get("rows", 0), counts.get("to_send", 0)
    notes = []
    for ch in subscribe:
        name = "SMS" if ch == "sms" else ch
        if ch in columns:
            n = counts.get(f"consent_{ch}", 0)
            notes.append(f"{n:,} of {rows:,} rows will be subscribed to {name} (column '{columns[ch]}' says yes).")
        else:
            covered = counts.get(f"reachable_{ch}", sent)
            notes.append(
                f"{covered:,} of {rows:,} rows will be subscribed to {name}: no consent column is mapped, so the "
                f"tick covers every imported row that has {'a phone number' if ch == 'sms' else 'an email'}."
            )
    return tuple(notes)
