"""A catalog plan as bulk jobs: what each job holds and the exact body sent for it.

Klaviyo takes at most 100 resources and 5 MB per catalog bulk job, and at most 500 jobs in progress (spec,
`POST /api/catalog-item-bulk-create-jobs` description). Jobs run in phases, each phase's jobs complete
before the next phase starts, because later resources refer to earlier ones: categories before the items
that name them, items before their variants, variants deleted before the items they belong to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_PER_JOB = 100
#: 5 MB is the cap on the whole body; the envelope around the resources stays well under the 16 KB kept back.
MAX_JOB_BYTES = 5 * 1024 * 1024 - 16 * 1024
MAX_IN_FLIGHT = 500
GROUPS = {"item": "items", "variant": "variants", "category": "categories"}
#: (kind, action) in the order their jobs run; a phase is one entry.
PHASES = (
    ("category", "create"),
    ("item", "create"),
    ("item", "update"),
    ("variant", "create"),
    ("variant", "update"),
    ("variant", "delete"),
    ("item", "delete"),
)


@dataclass(frozen=True)
class Entry:
    """One resource to send: `key` ("item:SKU-1") joins its outcome back to the file's row."""

    key: str
    resource: dict[str, Any]


@dataclass(frozen=True)
class Batch:
    phase: int
    kind: str
    action: str
    entries: tuple[Entry, ...]

    @property
    def path(self) -> str:
        return jobs_path(self.kind, self.action)

    def body(self) -> dict[str, Any]:
        return job_body(self.kind, self.action, [e.resource for e in self.entries])


def jobs_path(kind: str, action: str) -> str:
    return f"/api/catalog-{kind}-bulk-{action}-jobs"


def job_body(kind: str, action: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": {"type": f"catalog-{kind}-bulk-{action}-job", "attributes": {GROUPS[kind]: {"data": resources}}}}


def _size(resource: dict[str, Any]) -> int:
    return len(json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()) + 1


def cut(kind: str, action: str, entries: list[Entry]) -> list[Batch]:
    """Jobs of at most 100 resources and 5 MB, in the entries' order."""
    phase = PHASES.index((kind, action))
    batches: list[Batch] = []
    current: list[Entry] = []
    size = 0
    for entry in entries:
        entry_size = _size(entry.resource)
        if current and (len(current) >= MAX_PER_JOB or size + entry_size > MAX_JOB_BYTES):
            batches.append(Batch(phase, kind, action, tuple(current)))
            current, size = [], 0
        current.append(entry)
        size += entry_size
    if current:
        batches.append(Batch(phase, kind, action, tuple(current)))
    return batches
