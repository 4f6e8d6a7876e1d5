"""Write history: every import, tag apply, label import, event send, catalog apply and consent change, per account.

The writers record their runs through `recording` (one writer, private files, never a key); the History page
and the `history` command read them back newest first and serve each run's per-row report again."""

from klaviyo_core.history.recorder import Run, history_target, recording
from klaviyo_core.history.records import (
    CATALOG_APPLY,
    CONSENT_CHANGE,
    COUNT_NAMES,
    DONE,
    EVENTS_BULK,
    EVENTS_HISTORICAL,
    FAILED,
    INTERRUPTED,
    KINDS,
    LABEL_IMPORT,
    PROFILE_IMPORT,
    RUNNING,
    STATUSES,
    TAG_APPLY,
    RunTarget,
    WriteRecord,
    counts_of,
)
from klaviyo_core.history.store import load_all_runs, load_runs, report_path

__all__ = [
    "CATALOG_APPLY",
    "CONSENT_CHANGE",
    "COUNT_NAMES",
    "DONE",
    "EVENTS_BULK",
    "EVENTS_HISTORICAL",
    "FAILED",
    "INTERRUPTED",
    "KINDS",
    "LABEL_IMPORT",
    "PROFILE_IMPORT",
    "RUNNING",
    "STATUSES",
    "TAG_APPLY",
    "Run",
    "RunTarget",
    "WriteRecord",
    "counts_of",
    "history_target",
    "load_all_runs",
    "load_runs",
    "recording",
    "report_path",
]
