"""Events: build one from a form or a template, preview the exact request, send one or many, keep a history."""

from klaviyo_core.clock import now_iso
from klaviyo_core.events.bulk import events_for_profiles, sample_profile_emails, send_bulk
from klaviyo_core.events.event_file import PROPERTY_TYPE_NAMES, DroppedProperty, EventFileError, decode_upload
from klaviyo_core.events.form import IDENTIFIER_KINDS, EventForm, build_from_form
from klaviyo_core.events.historical import (
    BACKFILL_MEANING,
    FLOWS_MAY_FIRE,
    ImportColumns,
    ImportPlan,
    ImportResult,
    checkpoint_for,
    import_bodies,
    import_events,
    import_headers,
    parse_type_option,
    plan_import,
    report_rows,
    write_report,
)
from klaviyo_core.events.history import EventHistory, HistoryEntry
from klaviyo_core.events.model import Event, EventError, build_event, parse_properties, preview
from klaviyo_core.events.send import LiveSendNotConfirmed, SendResult, live_guard, send
from klaviyo_core.events.templates import TEMPLATES, get_template, template_names

__all__ = [
    "BACKFILL_MEANING",
    "FLOWS_MAY_FIRE",
    "IDENTIFIER_KINDS",
    "PROPERTY_TYPE_NAMES",
    "TEMPLATES",
    "DroppedProperty",
    "Event",
    "EventError",
    "EventFileError",
    "EventForm",
    "EventHistory",
    "HistoryEntry",
    "ImportColumns",
    "ImportPlan",
    "ImportResult",
    "LiveSendNotConfirmed",
    "SendResult",
    "build_event",
    "build_from_form",
    "checkpoint_for",
    "decode_upload",
    "events_for_profiles",
    "get_template",
    "import_bodies",
    "import_events",
    "import_headers",
    "live_guard",
    "now_iso",
    "parse_properties",
    "parse_type_option",
    "plan_import",
    "preview",
    "report_rows",
    "sample_profile_emails",
    "send",
    "send_bulk",
    "template_names",
    "write_report",
]
