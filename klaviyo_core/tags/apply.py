"""CSV tag uploads: read a file, plan against the account, apply in batches, report per row.

    tag_file = read_tag_file(data)                      # shape from the header; TagFileError if unusable
    plan = plan_tag_file(client, tag_file)              # reads only; nothing is written
    result = apply_plan(client, plan, on_progress=cb)   # creates groups, then tags, then untags, then tags
    report_csv(plan, result)                            # the file's rows with what happened to each

Writes go through the client, whose per-operation pacing (3/s, 60/m for tags) and 429 retries are the only
throttling: nothing here sleeps or retries. A failed batch of links is retried one id at a time (linking
and unlinking are idempotent), so one bad resource does not fail its neighbours. Applying the same file
again plans nothing but "unchanged" rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from klaviyo_core.accounts.confirm import LiveConfirmation, require_live_confirmation
from klaviyo_core.accounts.target import Target, check_same_target, target_or_own
from klaviyo_core.csvfile.write import csv_text
from klaviyo_core.history import TAG_APPLY, counts_of, recording
from klaviyo_core.http.errors import ApiError, KlaviyoError
from klaviyo_core.http.explain import explain
from klaviyo_core.tags.files import Shape, TagFile, TagFileError, read_tag_file
from klaviyo_core.tags.plan import ASSIGN, CREATE, REMOVE, SKIP, UNCHANGED, Plan, PlanRow, key, make_plan
from klaviyo_core.tags.state import PLURAL, Progress, load_state

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

__all__ = [
    "ApplyResult",
    "Plan",
    "Shape",
    "TagFile",
    "TagFileError",
    "apply_plan",
    "plan_tag_file",
    "read_tag_file",
    "report_csv",
]

OnProgress = Callable[[int, int, str], object]  # the return value is ignored
DONE, FAILED, SKIPPED = "done", "failed", "skipped"
LINK_BATCH = 100


@dataclass
class ApplyResult:
    status: dict[int, str] = field(default_factory=dict)  # line -> done | failed | unchanged | skipped
    message: dict[int, str] = field(default_factory=dict)
    requests: int = 0

    def counts(self) -> dict[str, int]:
        out = {DONE: 0, FAILED: 0, UNCHANGED: 0, SKIPPED: 0}
        for status in self.status.values():
            out[status] += 1
        return out

    @property
    def ok(self) -> bool:
        return not any(s == FAILED for s in self.status.values())


def plan_tag_file(
    client: KlaviyoClient, tag_file: TagFile, progress: Progress | None = None, *, target: Target | None = None
) -> Plan:
    """Read the account and plan every row (nothing is written); the plan records which account it was read
    from (`target`, else the client's own), so it can never be applied to another one."""
    bound = target_or_own(client, target)
    return replace(make_plan(tag_file, load_state(client, tag_file, progress)), target=bound)


def _existing_id(exc: KlaviyoError, meta_key: str) -> str | None:
    """The id of the group or tag someone created between plan and apply (a 409 that names it)."""
    if isinstance(exc, ApiError) and exc.status == 409:
        found = exc.meta.get(meta_key)
        return found if isinstance(found, str) and found else None
    return None


def _why(exc: KlaviyoError) -> str:
    return explain(exc).what


class _Applier:
    def __init__(self, client: KlaviyoClient, plan: Plan, on_progress: OnProgress | None, batch: int) -> None:
        self.client, self.plan, self.batch = client, plan, batch
        self.on_progress = on_progress or (lambda _d, _t, _m: None)
        self.group_ids = dict(plan.group_ids)
        self.tag_ids = dict(plan.tag_ids)
        self.failed: dict[object, str] = {}  # group key / tag key -> why it could not be created
        self.result = ApplyResult()
        self.done = 0
        self.total = len(plan.new_groups) + len(plan.new_tags) + len(self._link_batches())

    def step(self, message: str) -> None:
        self.done += 1
        self.on_progress(self.done, self.total, message)

    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        self.result.requests += 1
        doc: dict[str, Any] | None = (
            self.client.post(path, body) if method == "POST" else self.client.delete(path, body)
        )
        return doc

    # -- creation ------------------------------------------------------------------------------------------
    def create_groups(self) -> None:
        for group in self.plan.new_groups:
            attrs = {"name": group.name, "exclusive": group.exclusive}
            try:
                doc = self.call("POST", "/api/tag-groups", {"data": {"type": "tag-group", "attributes": attrs}})
                self.group_ids[key(group.name)] = (doc or {})["data"]["id"]
            except KlaviyoError as exc:  # only Klaviyo's refusals are per-row; a bug surfaces as itself
                found = _existing_id(exc, "duplicate_tag_group_id")
                if found:
                    self.group_ids[key(group.name)] = found
                else:
                    self.failed[key(group.name)] = f"group '{group.name}' could not be created: {_why(exc)}"
            self.step(f"Created group {group.name}")

    def create_tags(self) -> None:
        for tag in self.plan.new_tags:
            tkey = (tag.group_key, key(tag.name))
            if tag.group_key in self.failed:
                self.failed[tkey] = self.failed[tag.group_key]
                self.step(f"Skipped tag {tag.name}")
                continue
            group_ref = {"data": {"type": "tag-group", "id": self.group_ids[tag.group_key]}}
            body = {
                "data": {"type": "tag", "attributes": {"name": tag.name}, "relationships": {"tag-group": group_ref}}
            }
            try:
                self.tag_ids[tkey] = (self.call("POST", "/api/tags", body) or {})["data"]["id"]
            except KlaviyoError as exc:
                found = _existing_id(exc, "duplicate_tag_id")
                if found:
                    self.tag_ids[tkey] = found
                else:
                    self.failed[tkey] = f"tag '{tag.name}' could not be created: {_why(exc)}"
            self.step(f"Created tag {tag.name}")

    # -- links ----------------------------------------------------------------------------------------------
    def _link_batches(self) -> list[tuple[str, tuple[str, str], str, list[PlanRow]]]:
        """(method, tag key, resource type, rows) per batch: every removal before any addition."""
        out = []
        for action, method in ((REMOVE, "DELETE"), (ASSIGN, "POST")):
            groups: dict[tuple[tuple[str, str], str], list[PlanRow]] = {}
            for row in self.plan.rows:
                if row.action == action:
                    groups.setdefault((row.tag_key, row.resource_type), []).append(row)
            for (tkey, kind), rows in groups.items():
                out += [(method, tkey, kind, rows[i : i + self.batch]) for i in range(0, len(rows), self.batch)]
        return out

    def link(self, method: str, tkey: tuple[str, str], kind: str, rows: list[PlanRow]) -> None:
        if tkey in self.failed:
            for row in rows:
                self.fail(row, self.failed[tkey])
            return
        path = f"/api/tags/{self.tag_ids[tkey]}/relationships/{PLURAL[kind]}"
        ids = list(dict.fromkeys(r.resource_id for r in rows))
        try:
            self.call(method, path, {"data": [{"type": kind, "id": i} for i in ids]})
            for row in rows:
                self.result.status[row.line], self.result.message[row.line] = DONE, row.detail
        except KlaviyoError as exc:
            if len(ids) == 1:
                for row in rows:
                    self.fail(row, _why(exc))
                return
            for rid in ids:  # isolate the failing resource(s): links are idempotent, so retrying is safe
                self.link(method, tkey, kind, [r for r in rows if r.resource_id == rid])

    def fail(self, row: PlanRow, why: str) -> None:
        self.result.status[row.line], self.result.message[row.line] = FAILED, why

    def run(self) -> ApplyResult:
        self.create_groups()
        self.create_tags()
        for method, tkey, kind, rows in self._link_batches():
            self.link(method, tkey, kind, rows)
            self.step(_link_message(method, kind, rows))
        for row in self.plan.rows:
            self._settle(row)
        return self.result

    def _settle(self, row: PlanRow) -> None:
        """Status for rows that no link call covered: skipped, unchanged, and group/tag creations."""
        if row.line in self.result.status:
            return
        if row.action == SKIP:
            self.result.status[row.line], self.result.message[row.line] = SKIPPED, row.detail
        elif row.action == UNCHANGED:
            self.result.status[row.line], self.result.message[row.line] = UNCHANGED, row.detail
        elif row.action == CREATE:
            gkey = key(row.values.get("tag_group", ""))
            tkey = (gkey, key(row.values.get("tag", "")))
            why = self.failed.get(gkey) or self.failed.get(tkey)
            if why:
                self.fail(row, why)
            else:
                self.result.status[row.line], self.result.message[row.line] = DONE, row.detail


def _link_message(method: str, kind: str, rows: list[PlanRow]) -> str:
    """ "Tagged 1 flow with 'Flash'" (never "Tagged 1 flows"): what one batch of links just did."""
    n = len({r.resource_id for r in rows})
    noun = kind if n == 1 else PLURAL[kind]
    tag = rows[0].values.get("tag", "") if rows else ""
    if method == "DELETE":
        return f"Took the tag '{tag}' off {n} {noun}"
    return f"Tagged {n} {noun} with '{tag}'"


def apply_plan(
    client: KlaviyoClient,
    plan: Plan,
    *,
    on_progress: OnProgress | None = None,
    batch_size: int = LINK_BATCH,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    file_name: str = "",
) -> ApplyResult:
    """Carry out a plan; `on_progress(done, total, message)` is called after every request. Refused before any
    request when the plan was read from another account (TargetMismatch) or the target is LIVE and
    `confirmation` is missing or spent (LiveWriteNotConfirmed). The run and its report go to the write
    history under `file_name`."""
    if plan.shape is Shape.PROFILE_LABELS:
        raise ValueError("profile label files are applied by klaviyo_core.profile_labels")
    current = target_or_own(client, target)
    check_same_target("tag plan", plan.target, current)
    require_live_confirmation(current, confirmation)
    with recording(current, TAG_APPLY, file_name) as run:
        result = _Applier(client, plan, on_progress, batch_size).run()
        n = result.counts()
        done = counts_of(n[DONE] + n[FAILED], n[DONE], n[FAILED], n[UNCHANGED] + n[SKIPPED])
        run.finish(done, report_text=report_csv(plan, result))
    return result


def report_rows(plan: Plan, result: ApplyResult | None = None) -> list[dict[str, str]]:
    out = []
    for row in plan.rows:
        entry = dict(row.values)
        entry["line"] = str(row.line)
        entry["plan"] = row.action
        entry["detail"] = row.detail
        entry["warnings"] = "; ".join(row.warnings)
        if result is not None:
            entry["status"] = result.status.get(row.line, "")
            entry["message"] = result.message.get(row.line, "")
        out.append(entry)
    return out


def report_csv(plan: Plan, result: ApplyResult | None = None) -> str:
    """The file's rows with the planned action and, after apply, what happened (for download or --report);
    through the one CSV writer, so a tag named `=HYPERLINK(...)` stays text in a spreadsheet."""
    rows = report_rows(plan, result)
    fields = list(rows[0]) if rows else ["line"]
    return csv_text([fields, *([row.get(f) for f in fields] for row in rows)])


__all__ += ["load_state", "make_plan", "read_tag_file", "report_rows"]
