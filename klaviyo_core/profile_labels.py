"""Profile "labels" from an `email,label` file, as what they really are in Klaviyo: a list-valued custom
profile property. Klaviyo has no profile tags (tags label campaigns, flows, lists and segments only).

The user picks the property name and a mode:
- replace: each profile's property becomes exactly the labels in the file (re-running changes nothing);
- merge: the labels are appended with `meta.patch_properties.append`, keeping what the profile already has
  (Klaviyo appends as told, so re-running a merge file may append the same labels again).
Both are written through the profile bulk import (POST /api/profile-bulk-import-jobs, at most 10,000
profiles per job), which creates profiles that do not exist yet and never changes consent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from klaviyo_core.tags_csv import Shape, TagFile

if TYPE_CHECKING:
    from klaviyo_core.client import KlaviyoClient

MERGE, REPLACE = "merge", "replace"
MAX_PROFILES_PER_JOB = 10_000
_PROPERTY = re.compile(r"^[^$\s][^\n]{0,99}$")


class LabelError(ValueError):
    """The labels cannot be written as asked (bad property name or mode, wrong file shape)."""


@dataclass
class LabelPlan:
    property_name: str
    mode: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # email (lower-cased) -> labels, file order
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    duplicates: int = 0

    @property
    def profile_count(self) -> int:
        return len(self.labels)


def check_property_name(name: str) -> str:
    name = name.strip()
    if not _PROPERTY.match(name):
        raise LabelError(
            "The property name must be 1-100 characters and cannot start with '$' (Klaviyo's own properties)."
        )
    return name


def plan_labels(tag_file: TagFile, property_name: str, mode: str = MERGE) -> LabelPlan:
    if tag_file.shape is not Shape.PROFILE_LABELS:
        raise LabelError("This is not an email,label file.")
    if mode not in (MERGE, REPLACE):
        raise LabelError(f"mode must be '{MERGE}' or '{REPLACE}', not '{mode}'.")
    plan = LabelPlan(check_property_name(property_name), mode)
    for row in tag_file.rows:
        if row.problem:
            plan.skipped.append((row.line, row.problem))
            continue
        labels = plan.labels.setdefault(row.get("email").lower(), [])
        if row.get("label") in labels:
            plan.duplicates += 1
        else:
            labels.append(row.get("label"))
    return plan


def _profile(email: str, labels: list[str], plan: LabelPlan) -> dict[str, Any]:
    if plan.mode == REPLACE:
        return {"type": "profile", "attributes": {"email": email, "properties": {plan.property_name: labels}}}
    return {
        "type": "profile",
        "attributes": {"email": email},
        "meta": {"patch_properties": {"append": {plan.property_name: labels}}},
    }


def import_bodies(plan: LabelPlan, chunk: int = MAX_PROFILES_PER_JOB) -> list[dict[str, Any]]:
    """The bulk-import request bodies, at most `chunk` profiles each."""
    items = [_profile(email, labels, plan) for email, labels in plan.labels.items()]
    return [
        {
            "data": {
                "type": "profile-bulk-import-job",
                "attributes": {"profiles": {"data": items[i : i + chunk]}},
            }
        }
        for i in range(0, len(items), chunk)
    ]


def submit_labels(
    client: KlaviyoClient, plan: LabelPlan, on_progress: Callable[[int, int, str], None] | None = None
) -> list[str]:
    """Start one bulk import job per 10,000 profiles; returns the job ids (jobs finish asynchronously)."""
    bodies = import_bodies(plan)
    jobs: list[str] = []
    for n, body in enumerate(bodies, start=1):
        doc = client.post("/api/profile-bulk-import-jobs", body)
        jobs.append((doc or {})["data"]["id"])
        if on_progress:
            on_progress(n, len(bodies), f"Started import job {n} of {len(bodies)}")
    return jobs
