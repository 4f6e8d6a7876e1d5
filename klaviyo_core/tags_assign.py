"""Planning the `resource_type,resource,tag_group,tag[,action]` shape (see tags_plan.py for the rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from klaviyo_core.tags_csv import TagRow, is_remove
from klaviyo_core.tags_plan import (
    ASSIGN,
    MAX_TAGS_PER_RESOURCE,
    REMOVE,
    UNCHANGED,
    PlanRow,
    Resource,
    key,
    near_miss,
    resource_type,
)

if TYPE_CHECKING:
    from klaviyo_core.tags_plan import _Planner


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
