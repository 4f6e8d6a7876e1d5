"""Reading the account snapshot a tag plan needs: tag groups, tags, the named resources and their tags.

Costs, because the tag endpoints are 3/s and 60/m: groups and tags are one paged read each; resources are
read with `include=tags` (their own, faster buckets), which also gives each resource's tag ids. Only when a
response leaves `relationships.tags.data` out is a resource's tags read one by one, and then only for the
resources the file names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from klaviyo_core.csvfile.write import csv_text
from klaviyo_core.tags.files import Shape, TagFile
from klaviyo_core.tags.plan import AccountState, Group, Resource, Tag, key, resource_type

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

Progress = Callable[[str], None]
PLURAL = {"list": "lists", "segment": "segments", "campaign": "campaigns", "flow": "flows"}
CAMPAIGN_CHANNELS = ("email", "sms", "mobile_push")


def load_groups_and_tags(client: KlaviyoClient) -> tuple[list[Group], list[Tag]]:
    groups = [
        Group(g["id"], g["attributes"]["name"], bool(g["attributes"]["exclusive"]), bool(g["attributes"]["default"]))
        for g in client.iter_resources("/api/tag-groups")
    ]
    tags = [
        Tag(t["id"], t["attributes"]["name"], t["relationships"]["tag-group"]["data"]["id"])
        for t in client.iter_resources("/api/tags")
    ]
    return groups, tags


def _collection_queries(kind: str) -> Iterable[tuple[str, dict[str, str]]]:
    path = f"/api/{PLURAL[kind]}"
    if kind == "campaign":  # Klaviyo requires a channel filter on campaigns
        for channel in CAMPAIGN_CHANNELS:
            yield path, {"filter": f"equals(messages.channel,'{channel}')", "include": "tags"}
    else:
        yield path, {"include": "tags"}


def load_resources(client: KlaviyoClient, kind: str) -> tuple[list[Resource], dict[tuple[str, str], set[str]]]:
    """Every resource of one kind, and the tag ids of those whose response carried them."""
    resources: list[Resource] = []
    links: dict[tuple[str, str], set[str]] = {}
    for path, params in _collection_queries(kind):
        for item in client.iter_resources(path, params):
            resources.append(Resource(kind, item["id"], item["attributes"].get("name") or ""))
            rel = (item.get("relationships") or {}).get("tags") or {}
            if isinstance(rel.get("data"), list):
                links[(kind, item["id"])] = {t["id"] for t in rel["data"]}
    return resources, links


def resource_tag_ids(client: KlaviyoClient, kind: str, resource_id: str) -> set[str]:
    doc = client.get(f"/api/{PLURAL[kind]}/{resource_id}/relationships/tags")
    return {t["id"] for t in doc.get("data") or []}


def load_state(client: KlaviyoClient, tag_file: TagFile, progress: Progress | None = None) -> AccountState:
    """The snapshot `make_plan` needs for this file (read-only; no writes)."""
    say = progress or (lambda _msg: None)
    say("Reading tag groups and tags")
    groups, tags = load_groups_and_tags(client)
    state = AccountState(groups, tags)
    if tag_file.shape is not Shape.ASSIGNMENTS:
        return state
    usable = [r for r in tag_file.rows if not r.problem]
    for kind in sorted({resource_type(r) for r in usable}):
        say(f"Reading {PLURAL[kind]}")
        resources, links = load_resources(client, kind)
        state.resources[kind] = resources
        state.links.update(links)
    missing = _named_without_links(state, usable)
    for n, (kind, rid) in enumerate(missing, start=1):
        say(f"Reading the tags of {n}/{len(missing)} {PLURAL[kind]}")
        state.links[(kind, rid)] = resource_tag_ids(client, kind, rid)
    return state


def _named_without_links(state: AccountState, rows: list[Any]) -> list[tuple[str, str]]:
    """Resources the file names whose tags were not in the collection response."""
    out: list[tuple[str, str]] = []
    for row in rows:
        kind, wanted = resource_type(row), row.get("resource")
        for r in state.resources.get(kind, []):
            ident = (kind, r.id)
            if (r.id == wanted or key(r.name) == key(wanted)) and ident not in state.links and ident not in out:
                out.append(ident)
    return out


@dataclass(frozen=True)
class TagUsage:
    group: str
    exclusive: bool
    default: bool
    tag: str  # "" for a group without tags
    tag_id: str
    counts: dict[str, int]  # kind -> how many resources of that kind carry the tag
    names: dict[str, list[str]] = field(default_factory=dict)  # kind -> the names of those resources, sorted

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _links_for_kind(client: KlaviyoClient, kind: str, tags: list[Tag]) -> dict[str, list[str]]:
    """tag id -> the names (the id when unnamed) of the resources of one kind carrying it, by the cheaper of
    the two ways the API offers."""
    resources, links = load_resources(client, kind)
    label = {r.id: r.name or r.id for r in resources}
    missing = [r.id for r in resources if (kind, r.id) not in links]
    by_tag: dict[str, set[str]] = {t.id: set() for t in tags}
    if missing and len(tags) < len(missing):
        for tag in tags:
            doc = client.get(f"/api/tags/{tag.id}/relationships/{PLURAL[kind]}")
            by_tag[tag.id] = {r["id"] for r in doc.get("data") or []}
    else:
        for rid in missing:
            links[(kind, rid)] = resource_tag_ids(client, kind, rid)
        for (_, rid), tag_ids in links.items():
            for tag_id in tag_ids:
                by_tag.setdefault(tag_id, set()).add(rid)
    return {tag_id: sorted((label.get(r, r) for r in rids), key=str.casefold) for tag_id, rids in by_tag.items()}


def tag_overview(client: KlaviyoClient, progress: Progress | None = None) -> list[TagUsage]:
    """Every group and tag with the lists, segments, campaigns and flows each labels (read-only)."""
    say = progress or (lambda _msg: None)
    say("Reading tag groups and tags")
    groups, tags = load_groups_and_tags(client)
    usage: dict[str, dict[str, list[str]]] = {t.id: {} for t in tags}
    for kind in PLURAL:
        say(f"Reading tagged {PLURAL[kind]}")
        for tag_id, carriers in _links_for_kind(client, kind, tags).items():
            if tag_id in usage:
                usage[tag_id][kind] = carriers
    out: list[TagUsage] = []
    for group in sorted(groups, key=lambda g: (not g.default, g.name.casefold())):
        mine = sorted((t for t in tags if t.group_id == group.id), key=lambda t: t.name.casefold())
        slots: list[Tag | None] = [*mine] or [None]  # a group without tags still gets a row
        for tag in slots:
            found = {kind: usage[tag.id].get(kind, []) for kind in PLURAL} if tag else {k: [] for k in PLURAL}
            name, tag_id = (tag.name, tag.id) if tag else ("", "")
            counts = {kind: len(carriers) for kind, carriers in found.items()}
            out.append(TagUsage(group.name, group.exclusive, group.default, name, tag_id, counts, found))
    return out


def overview_rows(usage: list[TagUsage]) -> list[dict[str, str | int]]:
    """One row per tag: its group, then per kind the names of what carries it, and the total (page and CSV)."""
    rows: list[dict[str, str | int]] = []
    for u in usage:
        marks = (" (exclusive)" if u.exclusive else "") + (" (default)" if u.default else "")
        row: dict[str, str | int] = {"group": u.group + marks, "tag": u.tag}
        row.update({PLURAL[kind]: "; ".join(u.names.get(kind, [])) for kind in PLURAL})
        row["total"] = u.total
        rows.append(row)
    return rows


def overview_csv(usage: list[TagUsage]) -> str:
    """The overview as CSV through the one writer (a list named `=cmd` stays text in a spreadsheet)."""
    rows = overview_rows(usage)
    fields = ["group", "tag", *PLURAL.values(), "total"]
    return csv_text([fields, *([row[f] for f in fields] for row in rows)])
