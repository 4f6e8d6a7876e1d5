"""See what landed: look one profile up (identifiers, properties, consent, lists, segments, latest events), and
export a list's or a segment's members to CSV, optionally hashed for Meta or Google customer-list uploads."""

from klaviyo_core.audiences.export import (
    KINDS,
    PLATFORMS,
    Audience,
    ExportResult,
    export_audience,
    hashed_columns,
    list_audiences,
    normalise_email,
    normalise_phone,
    resolve_audience,
)
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
    "KINDS",
    "PLATFORMS",
    "Audience",
    "ChannelConsent",
    "EventLine",
    "ExportResult",
    "ProfileView",
    "consent_rows",
    "export_audience",
    "find_profile",
    "hashed_columns",
    "identifier_kind",
    "latest_events",
    "list_audiences",
    "normalise_email",
    "normalise_phone",
    "resolve_audience",
]
