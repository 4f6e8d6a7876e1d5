"""See what landed: look one profile up (identifiers, properties, consent, lists, segments, latest events), and
export a list's or a segment's members to CSV, optionally hashed for Meta or Google customer-list uploads."""

from klaviyo_core.audiences.export import (
    KINDS,
    PLATFORMS,
    Audience,
    ExportResult,
    audience_size,
    export_audience,
    hashed_columns,
    list_audiences,
    normalise_email,
    normalise_phone,
    resolve_audience,
)
from klaviyo_core.audiences.export_fields import DEFAULT_FIELDS, EXPORT_FIELDS, parse_fields
from klaviyo_core.audiences.export_progress import ExportProgress, members_ceiling
from klaviyo_core.audiences.lookup import (
    ChannelConsent,
    EventLine,
    ProfileView,
    consent_rows,
    find_profile,
    identifier_kind,
    latest_events,
)

__all__ = [
    "DEFAULT_FIELDS",
    "EXPORT_FIELDS",
    "KINDS",
    "PLATFORMS",
    "Audience",
    "ChannelConsent",
    "EventLine",
    "ExportProgress",
    "ExportResult",
    "ProfileView",
    "audience_size",
    "consent_rows",
    "export_audience",
    "find_profile",
    "hashed_columns",
    "identifier_kind",
    "latest_events",
    "list_audiences",
    "members_ceiling",
    "normalise_email",
    "normalise_phone",
    "parse_fields",
    "resolve_audience",
]
