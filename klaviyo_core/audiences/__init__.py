"""See what landed: look one profile up (identifiers, properties, consent, lists, segments, latest events), see
lists and segments with their member counts (cached, with their age) and members, create a list, and export a
list's or a segment's members to CSV, optionally hashed for Meta or Google customer-list uploads."""

from klaviyo_core.audiences.counts import FRESH_SECONDS, Count, age_text, member_count
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
from klaviyo_core.audiences.lists import (
    MEMBERS_PAGE_SIZE,
    OPT_IN_PROCESSES,
    MembersPage,
    audiences_frame,
    create_effect,
    create_list,
    members_page,
    opt_in_effect,
    search_filter,
    set_opt_in,
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
    "DEFAULT_FIELDS",
    "EXPORT_FIELDS",
    "FRESH_SECONDS",
    "KINDS",
    "MEMBERS_PAGE_SIZE",
    "OPT_IN_PROCESSES",
    "PLATFORMS",
    "Audience",
    "ChannelConsent",
    "Count",
    "EventLine",
    "ExportProgress",
    "ExportResult",
    "MembersPage",
    "ProfileView",
    "age_text",
    "audience_size",
    "audiences_frame",
    "consent_rows",
    "create_effect",
    "create_list",
    "export_audience",
    "find_profile",
    "hashed_columns",
    "identifier_kind",
    "latest_events",
    "list_audiences",
    "member_count",
    "members_ceiling",
    "members_page",
    "normalise_email",
    "normalise_phone",
    "opt_in_effect",
    "parse_fields",
    "resolve_audience",
    "search_filter",
    "set_opt_in",
]
