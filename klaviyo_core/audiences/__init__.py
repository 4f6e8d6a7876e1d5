"""See what landed: look one profile up (identifiers, properties, consent, lists, segments, latest events)."""

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
    "ChannelConsent",
    "EventLine",
    "ProfileView",
    "consent_rows",
    "find_profile",
    "identifier_kind",
    "latest_events",
]
