"""Lists and segments: what the account holds, how many members each has, who they are, and a new list.

Why it is built this way:
- Tables come out as DataFrames (one row per list or member) so the page, the CLI and a notebook show the same.
- Counts come from `counts.py` (cached per account, 1/s and 15/min); `audiences_frame` only shows what is kept
  unless asked to count, so opening the page never spends the count budget behind the user's back.
- Members are read one page of 100 at a time (the maximum of GET /api/lists/{id}/profiles and
  /api/segments/{id}/profiles) and the next page is the `links.next` the server gave, kept as is.
- Search is server-side, with the filters the spec allows on those endpoints (`x-klaviyo-filters`): exact
  `email` or `phone_number` (E.164) for both, `profile_id` for segments only. Klaviyo has no partial match
  there, so a search is for one person, which is what "is she in the list?" needs.
- Creating a list or changing its opt-in is a write: bound to the target and, on a LIVE account, allowed only
  with a fresh confirmation (DESIGN §1b), checked before any request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from klaviyo_core.accounts.confirm import LiveConfirmation, require_live_confirmation
from klaviyo_core.accounts.target import Target, account_id_of, check_same_target, target_or_own
from klaviyo_core.audiences.counts import Count, age_text, cached_counts, member_count
from klaviyo_core.audiences.export import KINDS, Audience
from klaviyo_core.http.client import KlaviyoClient

MEMBERS_PAGE_SIZE = 100
OPT_IN_PROCESSES = ("single_opt_in", "double_opt_in")
LIST_COLUMNS = ("id", "name", "opt_in_process", "profile_count", "counted", "created", "updated")
SEGMENT_COLUMNS = ("id", "name", "is_active", "profile_count", "counted", "created", "updated")
MEMBER_COLUMNS = ("email", "phone_number", "first_name", "last_name", "joined_group_at", "id")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"An audience is a list or a segment, not '{kind}'.")


def audiences_frame(
    client: KlaviyoClient,
    kind: str,
    *,
    count: Callable[[str], bool] | None = None,
    refresh: bool = False,
) -> pd.DataFrame:
    """Every list (or segment), sorted by name, with the kept member count and its age.

    `count(id)` says which ones to count now when their count is missing or stale (all: `lambda _: True`);
    `refresh` recounts those even when fresh. Without `count`, nothing is counted: kept counts only."""
    _check_kind(kind)
    items = list(client.iter_resources(f"/api/{kind}s"))
    account_id = account_id_of(client)
    kept = cached_counts(account_id, kind)
    rows = []
    for item in items:
        attrs: dict[str, Any] = item.get("attributes") or {}
        found: Count | None = kept.get(item["id"])
        if count is not None and count(item["id"]) and (refresh or found is None or not found.fresh()):
            found = member_count(client, kind, item["id"], refresh=True)
        row = {
            "id": item["id"],
            "name": attrs.get("name") or item["id"],
            "profile_count": found.value if found else None,
            "counted": age_text(found),
            "created": attrs.get("created"),
            "updated": attrs.get("updated"),
        }
        row.update(
            {"opt_in_process": attrs.get("opt_in_process")} if kind == "list" else {"is_active": attrs.get("is_active")}
        )
        rows.append(row)
    columns = list(LIST_COLUMNS if kind == "list" else SEGMENT_COLUMNS)
    frame = pd.DataFrame(rows, columns=columns)
    frame["profile_count"] = frame["profile_count"].astype("Int64")
    return frame.sort_values("name", key=lambda s: s.str.lower(), kind="stable").reset_index(drop=True)


def search_filter(kind: str, text: str) -> str | None:
    """The server-side filter for what the user typed: an email, an E.164 phone or (segments) a profile id."""
    _check_kind(kind)
    wanted = text.strip()
    if not wanted:
        return None
    quoted = wanted.replace("\\", "\\\\").replace('"', '\\"')
    if "@" in wanted:
        return f'equals(email,"{quoted}")'
    if wanted.startswith("+"):
        return f'equals(phone_number,"{quoted}")'
    if kind == "segment":
        return f'equals(profile_id,"{quoted}")'
    raise ValueError(
        "Search a list by a whole email address or an E.164 phone number (+15555550123): Klaviyo filters a "
        "list's members by those only, and never by part of a value."
    )


@dataclass(frozen=True)
class MembersPage:
    """One page of members and the URL of the next one (None on the last page)."""

    frame: pd.DataFrame
    next_url: str | None


def members_page(
    client: KlaviyoClient, kind: str, audience_id: str, *, search: str = "", page_url: str | None = None
) -> MembersPage:
    """One page of 100 members, oldest member first; `page_url` is a previous page's `next_url`."""
    _check_kind(kind)
    if page_url:
        doc = client.get(page_url)
    else:
        params = {"page[size]": str(MEMBERS_PAGE_SIZE)}
        wanted = search_filter(kind, search)
        if wanted:
            params["filter"] = wanted
        doc = client.get(f"/api/{kind}s/{audience_id}/profiles", params=params)
    rows = []
    for item in (doc or {}).get("data") or []:
        attrs: dict[str, Any] = item.get("attributes") or {}
        rows.append({**{c: attrs.get(c) for c in MEMBER_COLUMNS}, "id": item.get("id")})
    next_url = ((doc or {}).get("links") or {}).get("next")
    frame = pd.DataFrame(rows, columns=list(MEMBER_COLUMNS), dtype=object)  # a missing value stays None, not NaN
    return MembersPage(frame, next_url or None)


def _check_opt_in(opt_in_process: str | None) -> None:
    if opt_in_process is not None and opt_in_process not in OPT_IN_PROCESSES:
        raise ValueError(f"The opt-in process is one of {', '.join(OPT_IN_PROCESSES)}, not '{opt_in_process}'.")


def create_effect(name: str, opt_in_process: str | None) -> str:
    """What a LIVE confirmation names for a new list."""
    process = (opt_in_process or "the account's default").replace("_", " ")
    return f"create the list '{name.strip()}' ({process})"


def create_list(
    client: KlaviyoClient,
    name: str,
    opt_in_process: str | None = None,
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
) -> Audience:
    """Create a list (the account's default opt-in when None). Raises TargetError before any request for another
    account or an unconfirmed LIVE write; ValueError for a blank name or an unknown opt-in process."""
    if not name.strip():
        raise ValueError("A list needs a name.")
    _check_opt_in(opt_in_process)
    current = _bound(client, target)
    require_live_confirmation(current, confirmation)
    attributes: dict[str, Any] = {"name": name.strip()}
    if opt_in_process:
        attributes["opt_in_process"] = opt_in_process
    doc = client.post("/api/lists", {"data": {"type": "list", "attributes": attributes}})
    data = (doc or {}).get("data") or {}
    return Audience("list", str(data.get("id")), str((data.get("attributes") or {}).get("name") or name.strip()))


def opt_in_effect(list_name: str, opt_in_process: str) -> str:
    return f"set the opt-in process of the list '{list_name}' to {opt_in_process.replace('_', ' ')}"


def set_opt_in(
    client: KlaviyoClient,
    list_id: str,
    opt_in_process: str,
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
) -> str:
    """Change a list's opt-in process (PATCH /api/lists/{id}); the same guards as `create_list`."""
    _check_opt_in(opt_in_process)
    current = _bound(client, target)
    require_live_confirmation(current, confirmation)
    body = {"data": {"type": "list", "id": list_id, "attributes": {"opt_in_process": opt_in_process}}}
    doc = client.patch(f"/api/lists/{list_id}", body)
    return str((((doc or {}).get("data") or {}).get("attributes") or {}).get("opt_in_process") or opt_in_process)


def _bound(client: KlaviyoClient, target: Target | None) -> Target:
    """The target this client writes to, refused when it is not the account the caller showed the user."""
    own = target_or_own(client, None)
    check_same_target("list change", target, own)
    return target or own
