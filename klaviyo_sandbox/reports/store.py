"""Campaign report figures, computed from message events (read-only over `events`, `metrics`, `campaign_messages`).

A message event names its campaign message in the `$message` property (Klaviyo's own property); a conversion
names it in `$attributed_message`. No tables of its own, so it is not in STORE_MODULES.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from klaviyo_sandbox.engine.store import Store

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
    """Per campaign message: events and distinct profiles per metric name, and the conversions it earned."""

    campaign_id: str
    message_id: str
    channel: str
    events: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, int] = field(default_factory=dict)
    conversions: int = 0
    conversion_profiles: int = 0
    conversion_value: float = 0.0


_MESSAGE_SQL = f"""
SELECT cm.campaign_id, cm.id, cm.channel, m.name, count(*), count(DISTINCT e.profile_id)
FROM events e JOIN metrics m ON m.id = e.metric_id
JOIN campaign_messages cm ON cm.id = json_extract(e.properties, '$."$message"')
WHERE m.name IN ({",".join("?" * len(MESSAGE_METRICS))}) AND e.ts >= ? AND e.ts < ?
GROUP BY cm.id, m.name
"""
_CONVERSION_SQL = """
SELECT json_extract(e.properties, '$."$attributed_message"') AS msg, count(*), count(DISTINCT e.profile_id),
       coalesce(sum(e.value), 0)
FROM events e WHERE e.metric_id = ? AND e.ts >= ? AND e.ts < ? AND msg IS NOT NULL GROUP BY msg
"""


def metric_exists(store: Store, metric_id: str) -> bool:
    with store.read() as conn:
        return conn.execute("SELECT 1 FROM metrics WHERE id=?", (metric_id,)).fetchone() is not None


def campaign_counts(store: Store, start: int, end: int, conversion_metric_id: str) -> list[MessageCounts]:
    """Counts per campaign message sent in [start, end): one indexed scan per message metric, one for conversions."""
    found: dict[str, MessageCounts] = {}
    with store.read() as conn:
        for campaign_id, message_id, channel, metric, events, profiles in conn.execute(
            _MESSAGE_SQL, (*MESSAGE_METRICS, start, end)
        ):
            counts = found.setdefault(message_id, MessageCounts(campaign_id, message_id, channel))
            counts.events[metric], counts.profiles[metric] = int(events), int(profiles)
        conversions: dict[str, tuple[int, int, float]] = defaultdict(lambda: (0, 0, 0.0))
        for message_id, count, uniques, value in conn.execute(_CONVERSION_SQL, (conversion_metric_id, start, end)):
            conversions[str(message_id)] = (int(count), int(uniques), float(value))
    for message_id, counts in found.items():
        counts.conversions, counts.conversion_profiles, counts.conversion_value = conversions[message_id]
    return sorted(found.values(), key=lambda c: (c.campaign_id, c.message_id))


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
