"""What every reporting request shares: its statistics, group_by, filter and conversion metric, parsed once.

Klaviyo (spec `*ValuesRequestDTO`): `statistics` from the operation's list; `group_by` from its allowed list,
defaulting to the required keys plus `send_channel`; `filter` over the grouping attributes with `equals` and
`contains-any` on scalar attributes, `contains-any`/`contains-all` on list attributes, only AND, one filter per
attribute, at most 100 items per list. EMULATOR CHOICES: attributes the sandbox has no data for (variations,
text message format, campaign groups) are refused with a 400 naming them rather than ignored; tags filter (a
message matches through its campaign's or flow's tags) but do not group (how Klaviyo splits a message with
two tags into rows is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from klaviyo_sandbox.engine.errors import ApiError, invalid
from klaviyo_sandbox.engine.filters import Condition, parse_filter
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.reports import store as reportstore

ATTRS = "/data/attributes"
MAX_LIST = 100
SEND_CHANNELS = ("email", "sms", "push-notification", "whatsapp")


@dataclass(frozen=True)
class Shape:
    """One report family's vocabulary: the statistics, the grouping attributes (required first; `modelled`
    the ones the sandbox can answer) and the scalar and list attributes its filter accepts."""

    statistics: Sequence[str]
    required: tuple[str, ...]
    modelled: tuple[str, ...]
    allowed: tuple[str, ...]
    scalar_filters: tuple[str, ...]
    list_filters: tuple[str, ...] = ()
    scalar_ops: tuple[str, ...] = ("equals", "contains-any")


def statistics(attrs: dict[str, Any], shape: Shape) -> list[str]:
    wanted = attrs.get("statistics")
    if not isinstance(wanted, list) or not wanted:
        raise invalid("statistics is required: a list such as ['opens', 'open_rate'].", pointer=f"{ATTRS}/statistics")
    unknown = sorted({str(s) for s in wanted} - set(shape.statistics))
    if unknown:
        raise invalid(f"Unknown statistics {unknown}.", pointer=f"{ATTRS}/statistics")
    return [str(s) for s in dict.fromkeys(wanted)]


def group_by(attrs: dict[str, Any], shape: Shape) -> list[str]:
    pointer = f"{ATTRS}/group_by"
    groups = attrs.get("group_by") or [*shape.required, "send_channel"]
    if not isinstance(groups, list) or not set(shape.required) <= set(groups):
        raise invalid(f"group_by must include {' and '.join(shape.required)}.", pointer=pointer)
    if unknown := sorted(set(map(str, groups)) - set(shape.allowed)):
        raise invalid(f"group_by {unknown} is not allowed; use {', '.join(shape.allowed)}.", pointer=pointer)
    if extra := sorted(set(groups) - set(shape.modelled)):
        raise invalid(f"The sandbox does not model group_by {extra}.", pointer=pointer)
    return [str(g) for g in dict.fromkeys(groups)]


def report_filter(attrs: dict[str, Any], shape: Shape) -> list[Condition]:
    """The filter's conditions, checked against the spec's rules; errors point at /data/attributes/filter."""
    text = attrs.get("filter")
    if text is None or text == "":
        return []
    pointer = f"{ATTRS}/filter"
    if not isinstance(text, str):
        raise invalid('filter must be a string such as equals(send_channel,"email").', pointer=pointer)
    allowed = {f: set(shape.scalar_ops) for f in shape.scalar_filters}
    allowed |= {f: {"contains-any", "contains-all"} for f in shape.list_filters}
    try:
        conditions = parse_filter(text, allowed)
    except ApiError as exc:
        raise invalid(f"{exc.detail} Only and(...) of {', '.join(sorted(allowed))} filters.", pointer=pointer) from None
    seen: set[str] = set()
    for cond in conditions:
        if cond.field in seen:
            raise invalid(f"Only one filter can be used per attribute ('{cond.field}').", pointer=pointer)
        seen.add(cond.field)
        many = cond.op != "equals"
        if many and (not isinstance(cond.value, list) or not 0 < len(cond.value) <= MAX_LIST):
            raise invalid(f"{cond.op} takes a list of 1 to {MAX_LIST} values.", pointer=pointer)
        if not many and isinstance(cond.value, list):
            raise invalid("equals takes one value; use contains-any for a list.", pointer=pointer)
        values = cond.value if many else [cond.value]
        if cond.field == "send_channel" and (bad := sorted(set(map(str, values)) - set(SEND_CHANNELS))):
            raise invalid(f"send_channel {bad} is not one of {', '.join(SEND_CHANNELS)}.", pointer=pointer)
        if cond.field not in (*shape.modelled, *shape.list_filters):
            raise invalid(f"The sandbox does not model filters on {cond.field}.", pointer=pointer)
    return conditions


def kept(row: dict[str, Any], conditions: list[Condition]) -> bool:
    """Whether a result row's attributes meet every condition: a scalar equals one of the values; a list
    attribute (tags) shares one value with them (contains-any) or holds them all (contains-all)."""
    for cond in conditions:
        values = cond.value if isinstance(cond.value, list) else [cond.value]
        actual = row.get(cond.field)
        if isinstance(actual, list):
            wanted, held = set(map(str, values)), set(actual)
            if not (wanted <= held if cond.op == "contains-all" else wanted & held):
                return False
        elif actual not in values:
            return False
    return True


def conversion_metric(store: Store, attrs: dict[str, Any]) -> str:
    metric_id = attrs.get("conversion_metric_id")
    pointer = f"{ATTRS}/conversion_metric_id"
    if not isinstance(metric_id, str) or not metric_id:
        raise invalid("conversion_metric_id is required (e.g. the id of 'Placed Order').", pointer=pointer)
    if not reportstore.metric_exists(store, metric_id):
        raise invalid(f"No metric has the id '{metric_id}'.", pointer=pointer)
    return metric_id
