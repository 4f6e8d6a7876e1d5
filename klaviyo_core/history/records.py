"""One line of the write history: what a run wrote, to which account, with what outcome.

Why one shape for every kind: the History page and `history` command list profile imports, tag applies,
label imports, event sends and catalog applies side by side, so they share the counts a marketer compares
(sent, ok, failed, skipped) and the four statuses. The target is kept without its key fingerprint: the
history holds names and ids only, never anything derived from a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from klaviyo_core.accounts.target import Target

PROFILE_IMPORT = "profile import"
TAG_APPLY = "tag apply"
LABEL_IMPORT = "label import"
EVENTS_BULK = "bulk events"
EVENTS_HISTORICAL = "historical events"
CATALOG_APPLY = "catalog apply"
CONSENT_CHANGE = "consent change"
KINDS = (PROFILE_IMPORT, TAG_APPLY, LABEL_IMPORT, EVENTS_BULK, EVENTS_HISTORICAL, CATALOG_APPLY, CONSENT_CHANGE)

RUNNING, DONE, FAILED, INTERRUPTED = "running", "done", "failed", "interrupted"
STATUSES = (RUNNING, DONE, FAILED, INTERRUPTED)
COUNT_NAMES = ("sent", "ok", "failed", "skipped")


def counts_of(sent: int = 0, ok: int = 0, failed: int = 0, skipped: int = 0) -> dict[str, int]:
    """The four counts every kind reports, by name (so a table's columns line up across kinds)."""
    return {"sent": int(sent), "ok": int(ok), "failed": int(failed), "skipped": int(skipped)}


@dataclass(frozen=True)
class RunTarget:
    """Where a run wrote: the account's name, its id (the history's key), its base URL and whether it is LIVE."""

    name: str
    account_id: str
    base_url: str
    live: bool

    @classmethod
    def of(cls, target: Target) -> RunTarget:
        return cls(target.name, target.account_id, target.base_url, target.live)

    def label(self) -> str:
        kind = "LIVE" if self.live else "sandbox"
        return f"{self.name} ({kind}, id {self.account_id})"


@dataclass(frozen=True)
class WriteRecord:
    """One run. `report` is the stored per-row report's file name inside the account's history folder."""

    run_id: str
    kind: str
    started_at: str  # ISO 8601 UTC
    target: RunTarget
    file_name: str = ""
    status: str = RUNNING
    finished_at: str = ""
    counts: dict[str, int] = field(default_factory=lambda: counts_of())
    report: str = ""
    message: str = ""  # why it failed or stopped, in plain words
    pid: int = 0  # the process running it: a "running" record whose process is gone was interrupted
    host: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WriteRecord:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["target"] = RunTarget(**dict(data.get("target") or {}))
        known["counts"] = {**counts_of(), **{str(k): int(v) for k, v in dict(data.get("counts") or {}).items()}}
        return cls(**known)

    def with_status(self, status: str) -> WriteRecord:
        return replace(self, status=status)

    def row(self) -> dict[str, Any]:
        """A flat row for a table or the CLI: newest-first listings show these columns."""
        return {
            "started": self.started_at,
            "kind": self.kind,
            "file": self.file_name,
            "status": self.status,
            **{name: self.counts.get(name, 0) for name in COUNT_NAMES},
            "target": self.target.label(),
            "finished": self.finished_at,
            "message": self.message,
        }
