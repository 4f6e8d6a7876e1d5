"""The campaign and flow report families: their vocabularies and their result rows, from message counts.

A result row is one message (the required groupings make every message its own row), its groupings restricted
to the requested `group_by`, and its statistics in the order asked (statistics.py holds each definition).
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine.filters import Condition
from klaviyo_sandbox.reports.request import Shape, kept
from klaviyo_sandbox.reports.statistics import STATISTICS, statistics_for
from klaviyo_sandbox.reports.store import MessageCounts

SEND_CHANNEL = {"email": "email", "sms": "sms", "mobile_push": "push-notification"}
CAMPAIGN = Shape(
    statistics=STATISTICS,
    required=("campaign_id", "campaign_message_id"),
    modelled=("campaign_id", "campaign_message_id", "campaign_message_name", "send_channel"),
    allowed=(
        "campaign_id",
        "campaign_message_id",
        "campaign_message_name",
        "group",
        "group_name",
        "send_channel",
        "tag_id",
        "tag_name",
        "text_message_format",
        "variation",
        "variation_name",
    ),
    scalar_filters=(
        "send_channel",
        "campaign_id",
        "campaign_message_id",
        "campaign_message_name",
        "variation",
        "variation_name",
        "text_message_format",
    ),
    list_filters=("tag_id", "tag_name"),
)
FLOW = Shape(
    statistics=STATISTICS,
    required=("flow_id", "flow_message_id"),
    modelled=("flow_id", "flow_message_id", "flow_message_name", "flow_name", "send_channel"),
    allowed=(
        "flow_id",
        "flow_message_id",
        "flow_message_name",
        "flow_name",
        "send_channel",
        "tag_id",
        "tag_name",
        "text_message_format",
        "variation",
        "variation_name",
    ),
    scalar_filters=(
        "flow_id",
        "flow_name",
        "send_channel",
        "flow_message_id",
        "flow_message_name",
        "text_message_format",
        "variation",
        "variation_name",
    ),
    list_filters=("tag_id", "tag_name"),
)


def attributes(c: MessageCounts, kind: str) -> dict[str, Any]:
    """Every grouping attribute the sandbox models for this message, and its tags (for filters only)."""
    channel = SEND_CHANNEL.get(c.channel, c.channel)
    tags = {"tag_id": [t[0] for t in c.tags], "tag_name": [t[1] for t in c.tags]}
    if kind == "flow":
        return tags | {
            "flow_id": c.parent_id,
            "flow_message_id": c.message_id,
            "flow_message_name": c.name,
            "flow_name": c.parent_name,
            "send_channel": channel,
        }
    return tags | {
        "campaign_id": c.parent_id,
        "campaign_message_id": c.message_id,
        "campaign_message_name": c.name,
        "send_channel": channel,
    }


def rows(
    counts: list[MessageCounts], kind: str, conditions: list[Condition]
) -> list[tuple[MessageCounts, dict[str, Any]]]:
    """The messages the filter keeps, with their attributes."""
    pairs = [(c, attributes(c, kind)) for c in counts]
    return [(c, attrs) for c, attrs in pairs if kept(attrs, conditions)]


def values_results(
    counts: list[MessageCounts], kind: str, groups: list[str], conditions: list[Condition], wanted: list[str]
) -> list[dict[str, Any]]:
    return [
        {"groupings": {g: attrs[g] for g in groups}, "statistics": statistics_for(c, wanted)}
        for c, attrs in rows(counts, kind, conditions)
    ]
