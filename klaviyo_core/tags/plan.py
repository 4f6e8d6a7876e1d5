"""The plan: what a tag file would create, assign, remove, and what it skips and why, before any write.

Planning is a pure function of the file and a snapshot of the account (`AccountState`), so it is cheap to
test and to show. Names match case-insensitively; a name that matches nothing but is close to an existing
one ("Sumer" vs "Summer") carries a warning. Klaviyo's limits are applied in the plan: 50 tag groups and
500 tags per account, 100 tags per resource, one tag per resource in an exclusive group. Removals are
planned (and applied) before additions, so a file can move a resource from one exclusive tag to another.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from klaviyo_core.accounts.target import Target
from klaviyo_core.tags.files import RESOURCE_TYPES, Shape, TagFile, TagRow, is_exclusive, is_remove

MAX_GROUPS = 50
MAX_TAGS = 500
MAX_TAGS_PER_RESOURCE = 100
NEAR_MISS_CUTOFF = 0.8

CREATE, ASSIGN, REMOVE, UNCHANGED, SKIP = "create", "assign", "remove", "unchanged", "skip"
ACTIONS = (CREATE, ASSIGN, REMOVE, UNCHANGED, SKIP)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    exclusive: bool
    default: bool = False


@dataclass(frozen=True)
class Tag:
    id: str
    name: str
    group_id: str


@dataclass(frozen=True)
class Resource:
    type: str  # list, segment, campaign, flow
    id: str
    name: str


@dataclass
class AccountState:
    """What the account holds now; `links` maps (type, resource id) to the ids of its tags."""

    groups: list[Group] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    resources: dict[str, list[Resource]] = field(default_factory=dict)
    links: dict[tuple[str, str], set[str]] = field(default_factory=dict)


def key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class PlanRow:
    line: int
    action: str  # create | assign | remove | unchanged | skip
    detail: str
    values: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    resource_type: str = ""
    resource_id: str = ""
    group_key: str = ""
    tag_key: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class NewGroup:
    name: str
    exclusive: bool


@dataclass(frozen=True)
class NewTag:
    group_key: str
    name: str


@dataclass
class Plan:
    shape: Shape
    rows: list[PlanRow]
    new_groups: list[NewGroup]
    new_tags: list[NewTag]
    group_ids: dict[str, str]  # group key -> existing id
    tag_ids: dict[tuple[str, str], str]  # (group key, tag key) -> existing id
    target: Target | None = None  # the account the plan was read from; apply refuses any other

    def counts(self) -> dict[str, int]:
        found = Counter(r.action for r in self.rows)
        return {a: found.get(a, 0) for a in ACTIONS}

    def summary(self) -> dict[str, int]:
        """The plan in numbers that read without a legend (zeros left out): what will be created, what will
        be tagged or untagged, what is already so and what is skipped. Rows that create a group or tag are
        counted as the groups and tags they create, so "Create 0" never sits beside "New tags 4"."""
        counts = self.counts()
        numbers = {
            "Tag groups to create": len(self.new_groups),
            "Tags to create": len(self.new_tags),
            "Resources to tag": counts[ASSIGN],
            "Resources to untag": counts[REMOVE],
            "Rows already done": counts[UNCHANGED],
            "Rows skipped": counts[SKIP],
        }
        return {label: n for label, n in numbers.items() if n}

    @property
    def writes(self) -> int:
        """Rows that change something (what apply will do)."""
        return sum(1 for r in self.rows if r.action in (CREATE, ASSIGN, REMOVE))

    @property
    def warnings(self) -> list[str]:
        return [f"line {r.line}: {w}" for r in self.rows for w in r.warnings]


def near_miss(name: str, candidates: list[str]) -> str | None:
    by_key = {key(c): c for c in candidates}
    hits = difflib.get_close_matches(key(name), list(by_key), n=1, cutoff=NEAR_MISS_CUTOFF)
    return by_key[hits[0]] if hits else None


class _Planner:
    def __init__(self, state: AccountState) -> None:
        self.state = state
        self.groups = {key(g.name): g for g in state.groups}
        self.default = next((g for g in state.groups if g.default), None)
        self.default_key = key(self.default.name) if self.default else key("Default")
        self.tags = {(self._gkey_of(t.group_id), key(t.name)): t for t in state.tags}
        self.new_groups: dict[str, NewGroup] = {}
        self.new_tags: dict[tuple[str, str], NewTag] = {}
        self.group_count = len(state.groups)
        self.tag_count = len(state.tags)
        # resource -> tag keys it will carry once the plan is applied
        self.carried: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def _gkey_of(self, group_id: str) -> str:
        return next((key(g.name) for g in self.state.groups if g.id == group_id), "")

    # -- groups and tags ---------------------------------------------------------------------------------
    def exclusive(self, gkey: str) -> bool:
        if gkey in self.groups:
            return self.groups[gkey].exclusive
        return gkey in self.new_groups and self.new_groups[gkey].exclusive

    def ensure_group(self, row: PlanRow, name: str, exclusive: bool | None) -> str | None:
        """The group's key, planning its creation if needed; None (row skipped) at the limit."""
        gkey = key(name)
        if gkey in self.groups:
            group = self.groups[gkey]
            if exclusive is not None and exclusive != group.exclusive and not group.default:
                state = "exclusive" if group.exclusive else "not exclusive"
                row.warnings.append(f"group '{group.name}' is {state} already; Klaviyo cannot change that")
            return gkey
        if gkey in self.new_groups:
            return gkey
        if self.group_count >= MAX_GROUPS:
            self.skip(row, f"limit reached: an account can have at most {MAX_GROUPS} tag groups")
            return None
        close = near_miss(name, [g.name for g in self.state.groups if not g.default])
        if close:
            row.warnings.append(f"new group '{name}' is close to the existing group '{close}': a typo?")
        self.new_groups[gkey] = NewGroup(name, bool(exclusive))
        self.group_count += 1
        return gkey

    def ensure_tag(self, row: PlanRow, gkey: str, name: str) -> tuple[str, str] | None:
        tkey = (gkey, key(name))
        if tkey in self.tags or tkey in self.new_tags:
            return tkey
        if self.tag_count >= MAX_TAGS:
            self.skip(row, f"limit reached: an account can have at most {MAX_TAGS} tags")
            return None
        close = near_miss(name, [t.name for (g, _), t in self.tags.items() if g == gkey])
        if close:
            row.warnings.append(f"new tag '{name}' is close to the existing tag '{close}': a typo?")
        self.new_tags[tkey] = NewTag(gkey, name)
        self.tag_count += 1
        return tkey

    @staticmethod
    def skip(row: PlanRow, reason: str) -> None:
        row.action, row.detail = SKIP, reason

    # -- the groups shape -----------------------------------------------------------------------------------
    def plan_group_row(self, src: TagRow) -> PlanRow:
        row = PlanRow(src.line, UNCHANGED, "", src.values)
        if src.problem:
            self.skip(row, src.problem)
            return row
        group_name, tag_name = src.get("tag_group"), src.get("tag")
        exclusive = is_exclusive(src.get("exclusive")) if "exclusive" in src.values else None
        had_group = key(group_name) in self.groups or key(group_name) in self.new_groups
        gkey = self.ensure_group(row, group_name, exclusive)
        if gkey is None:
            return row
        made = [] if had_group else [f"group '{group_name}'" + (" (exclusive)" if exclusive else "")]
        if tag_name:
            before = (gkey, key(tag_name)) in self.tags or (gkey, key(tag_name)) in self.new_tags
            if self.ensure_tag(row, gkey, tag_name) is None:
                return row
            made += [] if before else [f"tag '{tag_name}'"]
        row.group_key = gkey
        if made:
            row.action, row.detail = CREATE, "create " + " and ".join(made)
        else:
            row.detail = "already exists"
        return row


def make_plan(tag_file: TagFile, state: AccountState) -> Plan:
    """Plan a groups or assignments file against the account snapshot (no request is made here)."""

    planner = _Planner(state)
    if tag_file.shape is Shape.GROUPS:
        rows = [planner.plan_group_row(r) for r in tag_file.rows]
    elif tag_file.shape is Shape.ASSIGNMENTS:
        rows = plan_assignments(planner, tag_file.rows)
    else:
        raise ValueError("profile label files are planned by klaviyo_core.profile_labels")
    return Plan(
        tag_file.shape,
        rows,
        list(planner.new_groups.values()),
        list(planner.new_tags.values()),
        {k: g.id for k, g in planner.groups.items()},
        {k: t.id for k, t in planner.tags.items()},
    )


def resource_type(row: TagRow) -> str:
    return RESOURCE_TYPES[row.get("resource_type").lower()]


__all__ = [
    "ASSIGN",
    "CREATE",
    "REMOVE",
    "SKIP",
    "UNCHANGED",
    "AccountState",
    "Group",
    "Plan",
    "PlanRow",
    "Resource",
    "Tag",
    "make_plan",
]


def find_resource(planner: _Planner, row: TagRow) -> tuple[Resource | None, str]:
    """The resource a row names (by id, else by exact case-insensitive name), or None and why not."""
    kind = resource_type(row)
    wanted = row.get("resource")
    candidates = planner.state.resources.get(kind, [])
    by_id = [r for r in candidates if r.id == wanted]
    if by_id:
        return by_id[0], ""
    by_name = [r for r in candidates if key(r.name) == key(wanted)]
    if len(by_name) == 1:
        return by_name[0], ""
    if by_name:
        ids = ", ".join(r.id for r in by_name)
        return None, f"{len(by_name)} {kind}s are named '{wanted}' ({ids}): use the id"
    close = near_miss(wanted, [r.name for r in candidates])
    hint = f" (did you mean '{close}'?)" if close else ""
    return None, f"unknown {kind} '{wanted}'{hint}"


def _carried(planner: _Planner, resource: Resource) -> set[tuple[str, str]]:
    ident = (resource.type, resource.id)
    if ident not in planner.carried:
        by_id = {t.id: k for k, t in planner.tags.items()}
        linked = planner.state.links.get(ident, set())
        planner.carried[ident] = {by_id[t] for t in linked if t in by_id}
    return planner.carried[ident]


def _label(resource: Resource, group: str, tag: str) -> str:
    return f"{resource.type} '{resource.name}' · {group or 'Default'} / {tag}"


def plan_assignments(planner: _Planner, src_rows: list[TagRow]) -> list[PlanRow]:
    rows: dict[int, PlanRow] = {}
    resolved: dict[int, Resource] = {}
    for index, src in enumerate(src_rows):
        row = PlanRow(src.line, UNCHANGED, "", src.values)
        rows[index] = row
        if src.problem:
            planner.skip(row, src.problem)
            continue
        resource, why = find_resource(planner, src)
        if resource is None:
            planner.skip(row, why)
            continue
        resolved[index] = resource
        row.resource_type, row.resource_id = resource.type, resource.id
    removals = [i for i in resolved if is_remove(src_rows[i])]
    additions = [i for i in resolved if not is_remove(src_rows[i])]
    for i in removals:
        _plan_removal(planner, rows[i], src_rows[i], resolved[i])
    for i in additions:
        _plan_addition(planner, rows[i], src_rows[i], resolved[i])
    return [rows[i] for i in range(len(src_rows))]


def _plan_removal(planner: _Planner, row: PlanRow, src: TagRow, resource: Resource) -> None:
    gkey = key(src.get("tag_group")) or planner.default_key
    tkey = (gkey, key(src.get("tag")))
    label = _label(resource, src.get("tag_group"), src.get("tag"))
    carried = _carried(planner, resource)
    if gkey not in planner.groups or tkey not in planner.tags:
        row.detail = f"{label}: no such tag, nothing to remove"
        return
    row.group_key, row.tag_key = gkey, tkey
    if tkey not in carried:
        row.detail = f"{label}: not tagged, nothing to remove"
        return
    carried.discard(tkey)
    row.action, row.detail = REMOVE, f"untag {label}"


def _plan_addition(planner: _Planner, row: PlanRow, src: TagRow, resource: Resource) -> None:
    group_name, tag_name = src.get("tag_group"), src.get("tag")
    group_name = group_name or (planner.default.name if planner.default else "Default")  # empty: the default group
    gkey = key(group_name)
    tkey = (gkey, key(tag_name))
    label = _label(resource, group_name, tag_name)
    carried = _carried(planner, resource)
    if tkey in carried:
        row.group_key, row.tag_key, row.detail = gkey, tkey, f"{label}: already tagged"
        return
    if planner.exclusive(gkey):
        clash = [t for t in carried if t[0] == gkey]
        if clash:
            current = _tag_name(planner, clash[0])
            planner.skip(row, f"{label}: exclusive group conflict, already tagged '{current}' in this group")
            return
    if len(carried) >= MAX_TAGS_PER_RESOURCE:
        planner.skip(row, f"{label}: limit reached, a {resource.type} can carry at most {MAX_TAGS_PER_RESOURCE} tags")
        return
    new_group = gkey not in planner.groups and gkey not in planner.new_groups
    if planner.ensure_group(row, group_name, None) is None:
        return
    new_tag = tkey not in planner.tags and tkey not in planner.new_tags
    if planner.ensure_tag(row, gkey, tag_name) is None:
        return
    carried.add(tkey)
    row.group_key, row.tag_key = gkey, tkey
    made = (["new group"] if new_group else []) + (["new tag"] if new_tag else [])
    row.action, row.detail = ASSIGN, f"tag {label}" + (f" ({', '.join(made)})" if made else "")


def _tag_name(planner: _Planner, tkey: tuple[str, str]) -> str:
    if tkey in planner.tags:
        return planner.tags[tkey].name
    return planner.new_tags[tkey].name if tkey in planner.new_tags else tkey[1]
