"""Campaign and flow report figures, computed from message events (read-only over `metrics`,
`campaign_messages`, `flow_actions` and the taggables' tables; the events through message_store.py's index).

A message event names its campaign or flow message in the `$message` property (Klaviyo's own property); a
conversion names it in `$attributed_message`. No tables of its own (message_store.py holds the reports' one).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.reports import message_store

MESSAGE_METRICS = (
    "Received Email",
    "Opened Email",
    "Clicked Email",
    "Bounced Email",
    "Unsubscribed",
    "Received SMS",
    "Clicked SMS",
    "Unsubscribed from SMS",
)


@dataclass
class MessageCounts:
    """Per message: events and distinct profiles per metric name, and the conversions it earned. `parent_id` is
    the campaign's or the flow's id, `name`/`parent_name` their names (for the name groupings)."""

    parent_id: str
    message_id: str
    channel: str
    name: str = ""
    parent_name: str = ""
    tags: tuple[tuple[str, str], ...] = ()  # the campaign's or flow's (tag id, tag name), for tag filters
    events: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, int] = field(default_factory=dict)
    conversions: int = 0
    conversion_profiles: int = 0
    conversion_value: float = 0.0


@dataclass(frozen=True)
class Message:
    """A message a report can name: its id, channel and name, and its campaign's or flow's id, name and status."""

    parent_id: str
    parent_name: str
    parent_status: str
    message_id: str
    name: str
    channel: str
    tags: tuple[tuple[str, str], ...] = ()


#: kind -> (message id, parent id, parent name, parent status, channel, message definition) of every message
_MESSAGES = {
    "campaign": "SELECT cm.id, c.id, c.name, c.status, cm.channel, cm.definition FROM campaign_messages cm "
    "JOIN campaigns c ON c.id = cm.campaign_id",
    # EMULATOR CHOICE: a send-email action holds one message; its id is the flow message id (flows/store.py)
    "flow": "SELECT fa.id, f.id, f.name, f.status, 'email', fa.definition FROM flow_actions fa "
    "JOIN flows f ON f.id = fa.flow_id WHERE fa.action_type = 'send-email'",
}


def _message_name(kind: str, parent_name: str, definition: str) -> str:
    body = json.loads(definition or "null") or {}
    if kind == "flow":
        return str(((body.get("data") or {}).get("message") or {}).get("name") or parent_name)
    return str(body.get("label") or parent_name)


def messages(store: Store, kind: str) -> dict[str, Message]:
    """Every campaign or flow message, by message id, with its campaign's or flow's tags."""
    tags: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with store.read() as conn:
        rows = conn.execute(_MESSAGES[kind]).fetchall()
        for resource_id, tag_id, tag_name in conn.execute(
            "SELECT l.resource_id, t.id, t.name FROM tag_links l JOIN tags t ON t.id = l.tag_id "
            "WHERE l.resource_type = ? ORDER BY t.name, t.id",
            (kind,),
        ):
            tags[str(resource_id)].append((str(tag_id), str(tag_name)))
    return {
        str(r[0]): Message(
            str(r[1]),
            str(r[2]),
            str(r[3]),
            str(r[0]),
            _message_name(kind, str(r[2]), r[5]),
            str(r[4]),
            tuple(tags.get(str(r[1]), ())),
        )
        for r in rows
    }


def flow_messages(store: Store) -> list[Message]:
    """Every flow message, by flow creation order."""
    return sorted(messages(store, "flow").values(), key=lambda m: (m.parent_id, m.message_id))


def metric_exists(store: Store, metric_id: str) -> bool:
    with store.read() as conn:
        return conn.execute("SELECT 1 FROM metrics WHERE id=?", (metric_id,)).fetchone() is not None


def message_counts(
    store: Store, kind: str, start: int, end: int, conversion_metric_id: str, known: dict[str, Message] | None = None
) -> list[MessageCounts]:
    """Counts per campaign or flow message with events in [start, end), from the reports' own index
    (message_store.py, brought up to date first). `known` saves re-reading the messages (a series asks per bucket)."""
    known = messages(store, kind) if known is None else known
    found: dict[str, MessageCounts] = {}
    with store.write() as conn:
        message_store.catch_up(conn)
        names = dict(
            conn.execute(
                f"SELECT id, name FROM metrics WHERE name IN ({','.join('?' * len(MESSAGE_METRICS))})",
                MESSAGE_METRICS,
            ).fetchall()
        )
        for message_id, metric_id, events, profiles in message_store.message_rows(
            conn, list(names), list(known), start, end
        ):
            if (msg := known.get(message_id)) is None:
                continue
            counts = found.setdefault(
                msg.message_id,
                MessageCounts(msg.parent_id, msg.message_id, msg.channel, msg.name, msg.parent_name, msg.tags),
            )
            counts.events[names[metric_id]], counts.profiles[names[metric_id]] = events, profiles
        conversions: dict[str, tuple[int, int, float]] = defaultdict(lambda: (0, 0, 0.0))
        for message_id, count, uniques, value in message_store.conversion_rows(
            conn, conversion_metric_id, list(known), start, end
        ):
            conversions[message_id] = (count, uniques, value)
    for message_id, counts in found.items():
        counts.conversions, counts.conversion_profiles, counts.conversion_value = conversions[message_id]
    return sorted(found.values(), key=lambda c: (c.parent_id, c.message_id))


def sent_campaign_messages(store: Store) -> list[tuple[str, str, str]]:
    """(message id, channel, send time) of every campaign message that has been sent."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT cm.id, cm.channel, c.send_time FROM campaign_messages cm JOIN campaigns c ON c.id = cm.campaign_id "
            "WHERE c.status = 'Sent' AND c.send_time IS NOT NULL ORDER BY c.send_time, cm.id"
        ).fetchall()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def demo_recipients(store: Store, limit: int) -> list[str]:
    """The first `limit` demo shoppers (profiles marked `properties.demo`), oldest first."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id FROM profiles WHERE json_extract(attributes, '$.properties.demo') = 1 ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()
    return [str(r[0]) for r in rows]
