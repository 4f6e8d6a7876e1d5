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

from klaviyo_core.tags_csv import RESOURCE_TYPES, Shape, TagFile, TagRow, is_exclusive

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

    def counts(self) -> dict[str, int]:
        found = Counter(r.action for r in self.rows)
        return {a: found.get(a, 0) for a in ACTIONS}

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
    from klaviyo_core.tags_assign import plan_assignments

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
