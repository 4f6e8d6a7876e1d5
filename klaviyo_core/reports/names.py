"""Names for the ids a report carries: campaign, message, tags and channel, read once and kept on disk.

Klaviyo's reports carry ids only (klaviyo-api-facts.md, "Names are not included. Join them via GET campaigns").
One paged read per channel, `GET /api/campaigns?filter=equals(messages.channel,'…')&include=campaign-messages,tags`
(the channel filter is required; both includes are in the spec's enum), gives every campaign with its messages
and tags. The result is stored per account (0600, in the data dir) with when it was read, so a page render
costs no call at all and says how old the names are; a refresh reads them again.

The message name is the message's `definition.label` (Klaviyo's name for a campaign message), else its subject
or push title, else the first 60 characters of its text (an SMS).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from klaviyo_core import paths
from klaviyo_core.http import KlaviyoClient

CHANNELS = ("email", "sms", "mobile_push")
NAME_COLUMNS = ("campaign", "message", "tags", "channel")
MESSAGE_NAME_CHARS = 60


@dataclass(frozen=True)
class NameBook:
    """Campaign id -> (name, tags) and message id -> (name, channel), and when they were read."""

    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, dict[str, str]] = field(default_factory=dict)
    fetched_at: float = 0.0

    def age_seconds(self, now: float | None = None) -> float:
        return max((time.time() if now is None else now) - self.fetched_at, 0.0)

    def describe_age(self, now: float | None = None) -> str:
        seconds = int(self.age_seconds(now))
        if seconds < 60:
            return f"names read {seconds} s ago"
        if seconds < 3600:
            return f"names read {seconds // 60} min ago"
        return f"names read {seconds // 3600} h ago"

    @property
    def tags(self) -> list[str]:
        """Every tag on a campaign, sorted (the page's tag filter)."""
        return sorted({t for c in self.campaigns.values() for t in c.get("tags", [])}, key=str.lower)


def _message_name(attributes: dict[str, Any]) -> tuple[str, str]:
    definition = attributes.get("definition") or {}
    content = definition.get("content") or {}
    name = str(definition.get("label") or content.get("subject") or content.get("title") or "")
    if not name and content.get("body"):  # an SMS has no label: its first words, so the table stays readable
        body = " ".join(str(content["body"]).split())
        name = body if len(body) <= MESSAGE_NAME_CHARS else body[: MESSAGE_NAME_CHARS - 1].rstrip() + "…"
    return name, str(definition.get("channel") or "")


def read_names(client: KlaviyoClient) -> NameBook:
    """Read every campaign with its messages and tags (one paged read per channel)."""
    campaigns: dict[str, dict[str, Any]] = {}
    messages: dict[str, dict[str, str]] = {}
    for channel in CHANNELS:
        params = {"filter": f"equals(messages.channel,'{channel}')", "include": "campaign-messages,tags"}
        for page in client.iter_pages("/api/campaigns", params):
            tags = {}
            for item in page.get("included") or []:
                attrs = item.get("attributes") or {}
                if item.get("type") == "tag":
                    tags[str(item.get("id"))] = str(attrs.get("name") or item.get("id"))
                elif item.get("type") == "campaign-message":
                    name, message_channel = _message_name(attrs)
                    parent = ((item.get("relationships") or {}).get("campaign") or {}).get("data") or {}
                    messages[str(item.get("id"))] = {
                        "name": name,
                        "channel": message_channel or channel,
                        "campaign_id": str(parent.get("id") or ""),
                    }
            for item in page.get("data") or []:
                rels = item.get("relationships") or {}
                tag_ids = [str(t.get("id")) for t in (rels.get("tags") or {}).get("data") or []]
                message_ids = [str(m.get("id")) for m in (rels.get("campaign-messages") or {}).get("data") or []]
                campaigns[str(item.get("id"))] = {
                    "name": str((item.get("attributes") or {}).get("name") or ""),
                    "channel": channel,
                    "tags": sorted((tags.get(t, t) for t in tag_ids), key=str.lower),
                    "messages": message_ids,
                }
    return NameBook(campaigns, messages, time.time())


def names_path(account_id: str) -> Path:
    """One file per account; the id is hashed so it cannot steer the path."""
    digest = hashlib.sha256(account_id.encode("utf-8")).hexdigest()[:16]
    return paths.data_dir("reports", f"names-{digest}.json")


def load_names(account_id: str, path: Path | None = None) -> NameBook | None:
    """The stored names, or None when there are none or they cannot be read."""
    try:
        data = json.loads((path or names_path(account_id)).read_text(encoding="utf-8"))
        return NameBook(dict(data["campaigns"]), dict(data["messages"]), float(data["fetched_at"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save_names(account_id: str, book: NameBook, path: Path | None = None) -> None:
    text = json.dumps({"campaigns": book.campaigns, "messages": book.messages, "fetched_at": book.fetched_at})
    paths.write_private_text(path or names_path(account_id), text)


def campaign_names_book(
    client: KlaviyoClient, account_id: str, *, refresh: bool = False, path: Path | None = None
) -> NameBook:
    """The names from disk, or read (and stored) when there are none yet or `refresh` asks for it."""
    book = None if refresh else load_names(account_id, path)
    if book is None:
        book = read_names(client)
        save_names(account_id, book, path)
    return book


def join_names(frame: pd.DataFrame, book: NameBook) -> pd.DataFrame:
    """`frame` (campaign_id, campaign_message_id, channel columns) with campaign, message, tags and channel
    named; an id the book does not know (a campaign created since the names were read) keeps its id as name."""
    out = frame.copy()
    if out.empty:
        for column in NAME_COLUMNS:
            out[column] = pd.Series(dtype="object")
        return out
    campaigns, messages = book.campaigns, book.messages
    out["campaign"] = [campaigns.get(c, {}).get("name") or c for c in out["campaign_id"]]
    out["message"] = [messages.get(m, {}).get("name") or m for m in out["campaign_message_id"]]
    out["tags"] = [", ".join(campaigns.get(c, {}).get("tags", [])) for c in out["campaign_id"]]
    known = [messages.get(m, {}).get("channel") or "" for m in out["campaign_message_id"]]
    out["channel"] = [k or str(c) for k, c in zip(known, out["channel"], strict=True)]
    return out
