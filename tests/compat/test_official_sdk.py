"""Klaviyo's official Python SDK drives every operation the sandbox models, unchanged (issue 16).

`CALLS` maps each modelled operationId to one SDK call; `test_every_modelled_operation_has_a_call` keeps the
table complete, and `test_sdk_call` checks the sandbox answered that operation with a 2xx the SDK could parse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from openapi_client import models

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine.routes import load_handlers
from tests.compat.catalog_calls import catalog_calls

pytestmark = pytest.mark.xdist_group("compat")
Ids = dict[str, str]
EMAIL = "equals(messages.channel,'email')"


def body(model: str, doc: dict[str, Any]) -> Any:
    """The SDK's own request model, built from a JSON:API document."""
    return getattr(models, model).from_dict(doc)


def plain(result: Any) -> dict[str, Any]:
    return result if isinstance(result, dict) else result.to_dict()


@pytest.fixture(scope="module")
def ids(sdk: Any) -> Ids:
    """Ids of demo resources, found through the SDK itself."""
    out: Ids = {}
    out["profile"] = plain(sdk.Profiles.get_profiles(page_size=1))["data"][0]["id"]
    out["list"] = plain(sdk.Lists.get_lists())["data"][0]["id"]
    segments = plain(sdk.Segments.get_segments())["data"]
    out["segment"] = next(s["id"] for s in segments if s["attributes"]["name"] == "Newsletter openers")
    campaign = plain(sdk.Campaigns.get_campaigns(filter=EMAIL, include=["campaign-messages"]))
    out["campaign"] = campaign["data"][0]["id"]
    out["message"] = campaign["data"][0]["relationships"]["campaign-messages"]["data"][0]["id"]
    out["flow"] = plain(sdk.Flows.get_flows())["data"][0]["id"]
    out["action"] = plain(sdk.Flows.get_actions_for_flow(out["flow"]))["data"][0]["id"]
    event = plain(sdk.Events.get_events(page_size=1))["data"][0]
    out["event"], out["metric"] = event["id"], event["relationships"]["metric"]["data"]["id"]
    tag = plain(sdk.Tags.get_tags(include=["tag-group"]))
    out["tag"], out["tag_group"] = tag["data"][0]["id"], tag["data"][0]["relationships"]["tag-group"]["data"]["id"]
    out["free_tag"] = _new_tag(sdk, "Compat free tag")  # in the default group: tagging never conflicts
    return out


def _import_job(sdk: Any, ids: Ids) -> str:
    profiles = {"data": [{"type": "profile", "attributes": {"email": "compat-import@example.com"}}]}
    doc = {"data": {"type": "profile-bulk-import-job", "attributes": {"profiles": profiles}}}
    return str(plain(sdk.Profiles.bulk_import_profiles(body("ProfileImportJobCreateQuery", doc)))["data"]["id"])


def _new_list(sdk: Any, name: str) -> str:
    doc = {"data": {"type": "list", "attributes": {"name": name}}}
    return str(plain(sdk.Lists.create_list(body("ListCreateQuery", doc)))["data"]["id"])


def _new_tag(sdk: Any, name: str) -> str:
    doc = {"data": {"type": "tag", "attributes": {"name": name}}}
    return str(plain(sdk.Tags.create_tag(body("TagCreateQuery", doc)))["data"]["id"])


def _new_group(sdk: Any, name: str) -> str:
    doc = {"data": {"type": "tag-group", "attributes": {"name": name}}}
    return str(plain(sdk.Tags.create_tag_group(body("TagGroupCreateQuery", doc)))["data"]["id"])


def _members(ids: Ids) -> dict[str, Any]:
    return {"data": [{"type": "profile", "id": ids["profile"]}]}


def _tagged(type_: str, ids: Ids) -> dict[str, Any]:
    return {"data": [{"type": type_, "id": ids[type_]}]}


def _profile(email: str, **extra: Any) -> dict[str, Any]:
    return {"data": {"type": "profile", "attributes": {"email": email}, **extra}}


def _event(email: str) -> dict[str, Any]:
    metric = {"data": {"type": "metric", "attributes": {"name": "Compat Check"}}}
    profile = {"data": {"type": "profile", "attributes": {"email": email}}}
    return {"type": "event", "attributes": {"properties": {"n": 1}, "metric": metric, "profile": profile}}


def _subscribe(ids: Ids) -> dict[str, Any]:
    consent = {"email": {"marketing": {"consent": "SUBSCRIBED"}}}
    profile = {"type": "profile", "attributes": {"email": "compat-sub@example.com", "subscriptions": consent}}
    attrs = {"profiles": {"data": [profile]}}
    rel = {"list": {"data": {"type": "list", "id": ids["list"]}}}
    return {"data": {"type": "profile-subscription-bulk-create-job", "attributes": attrs, "relationships": rel}}


def _unsubscribe() -> dict[str, Any]:
    subs = {"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}
    profile = {"type": "profile", "attributes": {"email": "compat-sub@example.com", "subscriptions": subs}}
    return {"data": {"type": "profile-subscription-bulk-delete-job", "attributes": {"profiles": {"data": [profile]}}}}


def _suppression(sdk: Any, kind: str) -> str:
    profiles = {"data": [{"type": "profile", "attributes": {"email": "compat-suppress@example.com"}}]}
    doc = {"data": {"type": f"profile-suppression-bulk-{kind}-job", "attributes": {"profiles": profiles}}}
    if kind == "create":
        return str(
            plain(sdk.Profiles.bulk_suppress_profiles(body("SuppressionCreateJobCreateQuery", doc)))["data"]["id"]
        )
    return str(plain(sdk.Profiles.bulk_unsuppress_profiles(body("SuppressionDeleteJobCreateQuery", doc)))["data"]["id"])


def _campaign_values(ids: Ids) -> dict[str, Any]:
    attrs = {"statistics": ["opens", "open_rate"], "timeframe": {"key": "last_30_days"}}
    return {"data": {"type": "campaign-values-report", "attributes": attrs | {"conversion_metric_id": ids["metric"]}}}


def _flow_report(ids: Ids, kind: str, **extra: Any) -> dict[str, Any]:
    attrs = {"statistics": ["recipients", "open_rate"], "timeframe": {"key": "last_30_days"}} | extra
    return {"data": {"type": f"{kind}-report", "attributes": attrs | {"conversion_metric_id": ids["metric"]}}}


def _segment_values() -> dict[str, Any]:
    attrs = {"statistics": ["total_members", "members_added"], "timeframe": {"key": "last_30_days"}}
    return {"data": {"type": "segment-values-report", "attributes": attrs}}


def _results(result: Any) -> Any:
    """A report's results, which must not be empty: the demo flows and segments have data."""
    results = plain(result)["data"]["attributes"]["results"]
    assert results, "an empty report from the demo data"
    return result


def _aggregate(ids: Ids) -> dict[str, Any]:
    attrs = {
        "metric_id": ids["metric"],
        "measurements": ["count"],
        "interval": "day",
        "filter": ["greater-or-equal(datetime,2026-01-01T00:00:00)", "less-than(datetime,2026-02-01T00:00:00)"],
        "timezone": "UTC",
    }
    return {"data": {"type": "metric-aggregate", "attributes": attrs}}


Call = Callable[[Any, Ids], Any]


def _catalog_item(sdk: Any) -> str:
    """A fresh catalog item (each catalog call runs on its own, in any order); returns its compound id."""
    attributes = {"external_id": f"SDK-{time.monotonic_ns()}", "title": "Mug", "description": "Stoneware"}
    doc = {"data": {"type": "catalog-item", "attributes": attributes | {"url": "https://shop.example.com/mug"}}}
    return str(plain(sdk.Catalogs.create_catalog_item(body("CatalogItemCreateQuery", doc)))["data"]["id"])


def _update_catalog_item(sdk: Any) -> Any:
    item_id = _catalog_item(sdk)
    doc = {"data": {"type": "catalog-item", "id": item_id, "attributes": {"price": 9.5}}}
    return sdk.Catalogs.update_catalog_item(item_id, body("CatalogItemUpdateQuery", doc))


CALLS: dict[str, Call] = {
    # accounts
    "get_accounts": lambda s, i: s.Accounts.get_accounts(),
    "get_account": lambda s, i: s.Accounts.get_account(plain(s.Accounts.get_accounts())["data"][0]["id"]),
    # profiles
    "get_profiles": lambda s, i: s.Profiles.get_profiles(additional_fields_profile=["subscriptions"]),
    "get_profile": lambda s, i: s.Profiles.get_profile(i["profile"], include=["lists"]),
    "create_profile": lambda s, i: s.Profiles.create_profile(
        body("ProfileCreateQuery", _profile("compat-new@example.com"))
    ),
    "create_or_update_profile": lambda s, i: s.Profiles.create_or_update_profile(
        body("ProfileUpsertQuery", _profile("compat-upsert@example.com"))
    ),
    "update_profile": lambda s, i: s.Profiles.update_profile(
        i["profile"],
        body(
            "ProfilePartialUpdateQuery",
            {"data": {"type": "profile", "id": i["profile"], "attributes": {"first_name": "Compat"}}},
        ),
    ),
    "get_lists_for_profile": lambda s, i: s.Profiles.get_lists_for_profile(i["profile"]),
    "get_list_ids_for_profile": lambda s, i: s.Profiles.get_list_ids_for_profile(i["profile"]),
    "get_segments_for_profile": lambda s, i: s.Profiles.get_segments_for_profile(i["profile"]),
    "get_segment_ids_for_profile": lambda s, i: s.Profiles.get_segment_ids_for_profile(i["profile"]),
    "bulk_subscribe_profiles": lambda s, i: s.Profiles.bulk_subscribe_profiles(
        body("SubscriptionCreateJobCreateQuery", _subscribe(i))
    ),
    "bulk_import_profiles": lambda s, i: _import_job(s, i),
    "get_bulk_import_profiles_jobs": lambda s, i: s.Profiles.get_bulk_import_profiles_jobs(),
    "get_bulk_import_profiles_job": lambda s, i: s.Profiles.get_bulk_import_profiles_job(_import_job(s, i)),
    "get_errors_for_bulk_import_profiles_job": lambda s, i: s.Profiles.get_errors_for_bulk_import_profiles_job(
        _import_job(s, i)
    ),
    "get_list_for_bulk_import_profiles_job": lambda s, i: s.Profiles.get_list_for_bulk_import_profiles_job(
        _import_job(s, i)
    ),
    "get_list_ids_for_bulk_import_profiles_job": lambda s, i: s.Profiles.get_list_ids_for_bulk_import_profiles_job(
        _import_job(s, i)
    ),
    "get_profiles_for_bulk_import_profiles_job": lambda s, i: s.Profiles.get_profiles_for_bulk_import_profiles_job(
        _import_job(s, i)
    ),
    "get_profile_ids_for_bulk_import_profiles_job": lambda s, i: (
        s.Profiles.get_profile_ids_for_bulk_import_profiles_job(_import_job(s, i))
    ),
    "bulk_unsubscribe_profiles": lambda s, i: s.Profiles.bulk_unsubscribe_profiles(
        body("SubscriptionDeleteJobCreateQuery", _unsubscribe())
    ),
    "bulk_suppress_profiles": lambda s, i: _suppression(s, "create"),
    "bulk_unsuppress_profiles": lambda s, i: _suppression(s, "delete"),
    "get_bulk_suppress_profiles_jobs": lambda s, i: s.Profiles.get_bulk_suppress_profiles_jobs(),
    "get_bulk_suppress_profiles_job": lambda s, i: s.Profiles.get_bulk_suppress_profiles_job(_suppression(s, "create")),
    "get_bulk_unsuppress_profiles_jobs": lambda s, i: s.Profiles.get_bulk_unsuppress_profiles_jobs(),
    "get_bulk_unsuppress_profiles_job": lambda s, i: s.Profiles.get_bulk_unsuppress_profiles_job(
        _suppression(s, "delete")
    ),
    # lists
    "get_lists": lambda s, i: s.Lists.get_lists(include=["tags"]),
    "get_list": lambda s, i: s.Lists.get_list(i["list"]),
    "create_list": lambda s, i: _new_list(s, "Compat create"),
    "update_list": lambda s, i: s.Lists.update_list(
        i["list"],
        body("ListPartialUpdateQuery", {"data": {"type": "list", "id": i["list"], "attributes": {"name": "Renamed"}}}),
    ),
    "delete_list": lambda s, i: s.Lists.delete_list(_new_list(s, "Compat delete")),
    "add_profiles_to_list": lambda s, i: s.Lists.add_profiles_to_list(
        i["list"], body("ListMembersAddQuery", _members(i))
    ),
    "remove_profiles_from_list": lambda s, i: s.Lists.remove_profiles_from_list(
        i["list"], body("ListMembersDeleteQuery", _members(i))
    ),
    "get_profiles_for_list": lambda s, i: s.Lists.get_profiles_for_list(i["list"]),
    "get_profile_ids_for_list": lambda s, i: s.Lists.get_profile_ids_for_list(i["list"]),
    # segments
    "get_segments": lambda s, i: s.Segments.get_segments(include=["tags"]),
    "get_segment": lambda s, i: s.Segments.get_segment(i["segment"]),
    "get_profiles_for_segment": lambda s, i: s.Segments.get_profiles_for_segment(i["segment"]),
    "get_profile_ids_for_segment": lambda s, i: s.Segments.get_profile_ids_for_segment(i["segment"]),
    # campaigns
    "get_campaigns": lambda s, i: s.Campaigns.get_campaigns(filter=EMAIL, include=["campaign-messages", "tags"]),
    "get_campaign": lambda s, i: s.Campaigns.get_campaign(i["campaign"], include=["campaign-messages"]),
    "get_messages_for_campaign": lambda s, i: s.Campaigns.get_messages_for_campaign(i["campaign"]),
    "get_message_ids_for_campaign": lambda s, i: s.Campaigns.get_message_ids_for_campaign(i["campaign"]),
    "get_campaign_message": lambda s, i: s.Campaigns.get_campaign_message(i["message"], include=["campaign"]),
    "get_campaign_for_campaign_message": lambda s, i: s.Campaigns.get_campaign_for_campaign_message(i["message"]),
    "get_campaign_id_for_campaign_message": lambda s, i: s.Campaigns.get_campaign_id_for_campaign_message(i["message"]),
    "get_campaign_recipient_estimation": lambda s, i: s.Campaigns.get_campaign_recipient_estimation(i["campaign"]),
    # flows
    "get_flows": lambda s, i: s.Flows.get_flows(include=["tags"]),
    "get_flow": lambda s, i: s.Flows.get_flow(
        i["flow"], additional_fields_flow=["definition"], include=["flow-actions"]
    ),
    "get_actions_for_flow": lambda s, i: s.Flows.get_actions_for_flow(i["flow"]),
    "get_action_ids_for_flow": lambda s, i: s.Flows.get_action_ids_for_flow(i["flow"]),
    "get_flow_action": lambda s, i: s.Flows.get_flow_action(i["action"]),
    "get_flow_for_flow_action": lambda s, i: s.Flows.get_flow_for_flow_action(i["action"]),
    "get_flow_id_for_flow_action": lambda s, i: s.Flows.get_flow_id_for_flow_action(i["action"]),
    # events and metrics
    "get_events": lambda s, i: s.Events.get_events(include=["metric", "profile"]),
    "get_event": lambda s, i: s.Events.get_event(i["event"]),
    "get_metric_for_event": lambda s, i: s.Events.get_metric_for_event(i["event"]),
    "get_metric_id_for_event": lambda s, i: s.Events.get_metric_id_for_event(i["event"]),
    "get_profile_for_event": lambda s, i: s.Events.get_profile_for_event(i["event"]),
    "get_profile_id_for_event": lambda s, i: s.Events.get_profile_id_for_event(i["event"]),
    "create_event": lambda s, i: s.Events.create_event(
        body("EventCreateQueryV2", {"data": _event("compat-event@example.com")})
    ),
    "bulk_create_events": lambda s, i: s.Events.bulk_create_events(
        body(
            "EventsBulkCreateJob",
            {
                "data": {
                    "type": "event-bulk-create-job",
                    "attributes": {
                        "events-bulk-create": {
                            "data": [
                                {
                                    "type": "event-bulk-create",
                                    "attributes": {
                                        "profile": {"data": _profile("compat-bulk@example.com")["data"]},
                                        "events": {"data": [_event("compat-bulk@example.com")]},
                                    },
                                }
                            ]
                        }
                    },
                }
            },
        )
    ),
    "get_metrics": lambda s, i: s.Metrics.get_metrics(),
    "get_metric": lambda s, i: s.Metrics.get_metric(i["metric"]),
    "query_metric_aggregates": lambda s, i: s.Metrics.query_metric_aggregates(
        body("MetricAggregateQuery", _aggregate(i))
    ),
    # catalog
    "create_catalog_item": lambda s, i: _catalog_item(s),
    "get_catalog_items": lambda s, i: s.Catalogs.get_catalog_items(),
    "get_catalog_item": lambda s, i: s.Catalogs.get_catalog_item(_catalog_item(s)),
    "update_catalog_item": lambda s, i: _update_catalog_item(s),
    "delete_catalog_item": lambda s, i: s.Catalogs.delete_catalog_item(_catalog_item(s)),
    # reports
    "query_campaign_values": lambda s, i: s.Reporting.query_campaign_values(
        body("CampaignValuesRequestDTO", _campaign_values(i))
    ),
    "query_flow_values": lambda s, i: _results(
        s.Reporting.query_flow_values(body("FlowValuesRequestDTO", _flow_report(i, "flow-values")))
    ),
    "query_flow_series": lambda s, i: _results(
        s.Reporting.query_flow_series(body("FlowSeriesRequestDTO", _flow_report(i, "flow-series", interval="weekly")))
    ),
    "query_segment_values": lambda s, i: _results(
        s.Reporting.query_segment_values(body("SegmentValuesRequestDTO", _segment_values()))
    ),
    # templates
    "get_templates": lambda s, i: s.Templates.get_templates(),
    "get_template": lambda s, i: s.Templates.get_template(plain(s.Templates.get_templates())["data"][0]["id"]),
    # tags and tag groups
    "get_tags": lambda s, i: s.Tags.get_tags(include=["tag-group"]),
    "get_tag": lambda s, i: s.Tags.get_tag(i["tag"]),
    "create_tag": lambda s, i: _new_tag(s, "Compat create"),
    "update_tag": lambda s, i: s.Tags.update_tag(
        i["tag"], body("TagUpdateQuery", {"data": {"type": "tag", "id": i["tag"], "attributes": {"name": "Compat"}}})
    ),
    "delete_tag": lambda s, i: s.Tags.delete_tag(_new_tag(s, "Compat delete")),
    "get_tag_groups": lambda s, i: s.Tags.get_tag_groups(),
    "get_tag_group": lambda s, i: s.Tags.get_tag_group(i["tag_group"]),
    "create_tag_group": lambda s, i: _new_group(s, "Compat group"),
    "update_tag_group": lambda s, i: s.Tags.update_tag_group(
        i["tag_group"],
        body(
            "TagGroupUpdateQuery",
            {"data": {"type": "tag-group", "id": i["tag_group"], "attributes": {"name": "Compat group renamed"}}},
        ),
    ),
    "delete_tag_group": lambda s, i: s.Tags.delete_tag_group(_new_group(s, "Compat group delete")),
    "get_tag_group_for_tag": lambda s, i: s.Tags.get_tag_group_for_tag(i["tag"]),
    "get_tag_group_id_for_tag": lambda s, i: s.Tags.get_tag_group_id_for_tag(i["tag"]),
    "get_tags_for_tag_group": lambda s, i: s.Tags.get_tags_for_tag_group(i["tag_group"]),
    "get_tag_ids_for_tag_group": lambda s, i: s.Tags.get_tag_ids_for_tag_group(i["tag_group"]),
    "tag_lists": lambda s, i: s.Tags.tag_lists(i["free_tag"], body("TagListOp", _tagged("list", i))),
    "tag_segments": lambda s, i: s.Tags.tag_segments(i["free_tag"], body("TagSegmentOp", _tagged("segment", i))),
    "tag_campaigns": lambda s, i: s.Tags.tag_campaigns(i["free_tag"], body("TagCampaignOp", _tagged("campaign", i))),
    "tag_flows": lambda s, i: s.Tags.tag_flows(i["free_tag"], body("TagFlowOp", _tagged("flow", i))),
    "remove_tag_from_lists": lambda s, i: s.Tags.remove_tag_from_lists(
        i["free_tag"], body("TagListOp", _tagged("list", i))
    ),
    "remove_tag_from_segments": lambda s, i: s.Tags.remove_tag_from_segments(
        i["free_tag"], body("TagSegmentOp", _tagged("segment", i))
    ),
    "remove_tag_from_campaigns": lambda s, i: s.Tags.remove_tag_from_campaigns(
        i["free_tag"], body("TagCampaignOp", _tagged("campaign", i))
    ),
    "remove_tag_from_flows": lambda s, i: s.Tags.remove_tag_from_flows(
        i["free_tag"], body("TagFlowOp", _tagged("flow", i))
    ),
    "get_list_ids_for_tag": lambda s, i: s.Tags.get_list_ids_for_tag(i["tag"]),
    "get_segment_ids_for_tag": lambda s, i: s.Tags.get_segment_ids_for_tag(i["tag"]),
    "get_campaign_ids_for_tag": lambda s, i: s.Tags.get_campaign_ids_for_tag(i["tag"]),
    "get_flow_ids_for_tag": lambda s, i: s.Tags.get_flow_ids_for_tag(i["tag"]),
    "get_tags_for_list": lambda s, i: s.Lists.get_tags_for_list(i["list"]),
    "get_tag_ids_for_list": lambda s, i: s.Lists.get_tag_ids_for_list(i["list"]),
    "get_tags_for_segment": lambda s, i: s.Segments.get_tags_for_segment(i["segment"]),
    "get_tag_ids_for_segment": lambda s, i: s.Segments.get_tag_ids_for_segment(i["segment"]),
    "get_tags_for_campaign": lambda s, i: s.Campaigns.get_tags_for_campaign(i["campaign"]),
    "get_tag_ids_for_campaign": lambda s, i: s.Campaigns.get_tag_ids_for_campaign(i["campaign"]),
    "get_tags_for_flow": lambda s, i: s.Flows.get_tags_for_flow(i["flow"]),
    "get_tag_ids_for_flow": lambda s, i: s.Flows.get_tag_ids_for_flow(i["flow"]),
}


CALLS |= catalog_calls()


def test_every_modelled_operation_has_a_call() -> None:
    assert set(CALLS) == set(load_handlers())


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_sdk_call(operation: str, sdk: Any, ids: Ids, compat_sandbox: SandboxServer) -> None:
    before = _ok_count(compat_sandbox, operation)
    CALLS[operation](sdk, ids)
    assert _ok_count(compat_sandbox, operation) > before, f"the SDK call did not reach {operation} with a 2xx"


def _ok_count(server: SandboxServer, operation: str) -> int:
    return sum(n for (op, status), n in server.app.counts.items() if op == operation and 200 <= status < 300)


def test_sdk_pages_through_links_next_given_as_page_cursor(sdk: Any) -> None:
    """The SDK sends the whole links.next URL as page[cursor] when the base URL is not https (gap 6)."""
    first = plain(sdk.Profiles.get_profiles(page_size=20))
    seen = [p["id"] for p in first["data"]]
    link = first["links"]["next"]
    deadline = time.monotonic() + 30
    while link and time.monotonic() < deadline:
        page = plain(sdk.Profiles.get_profiles(page_size=20, page_cursor=link))
        seen += [p["id"] for p in page["data"]]
        link = page["links"].get("next")
    assert link is None and len(seen) == len(set(seen)) > 20
