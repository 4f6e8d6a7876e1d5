"""Plan first: read each person's current consent and suppression, then decide per row and channel what changes.

Reads are batched: `GET /api/profiles` with `any(email,[…])` / `any(phone_number,[…])` and
`additional-fields[profile]=subscriptions`, 100 a call (the endpoint's largest page; 75/s, 750/m in the spec,
paced by the client's token bucket); with a list, its members among them through `GET /api/lists/{id}/profiles`
with the same filters. Nothing is written here.

The traps (facts §10, §20; spec descriptions), each decided here and shown in the plan:
- an unsubscribe with a list of someone who is not in that list is a GLOBAL unsubscribe in Klaviyo: those rows
  are held apart unless the user explicitly chose a global unsubscribe;
- subscribing lifts UNSUBSCRIBE, SPAM_REPORT and USER_SUPPRESSED suppressions;
- a subscribe to a double opt-in list sends a confirmation email first, unless the import is historical;
- a historical subscribe needs a past `consented_at` per row and sends no double opt-in (nor "Added to list"
  flows);
- unsuppress lifts USER_SUPPRESSED only: bounces and spam complaints stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from klaviyo_core.accounts.target import Target, target_or_own
from klaviyo_core.consent.rows import EMAIL, SMS, ConsentFile, ConsentRow

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

SUBSCRIBE, UNSUBSCRIBE, SUPPRESS, UNSUPPRESS = "subscribe", "unsubscribe", "suppress", "unsuppress"
ACTIONS = (SUBSCRIBE, UNSUBSCRIBE, SUPPRESS, UNSUPPRESS)
CHANGE, UNCHANGED, HELD, INVALID = "change", "unchanged", "held apart", "invalid"
STATUSES = (CHANGE, UNCHANGED, HELD, INVALID)
READ_BATCH = 100
SUBSCRIBED, UNSUBSCRIBED, NEVER = "SUBSCRIBED", "UNSUBSCRIBED", "NEVER_SUBSCRIBED"
USER_SUPPRESSED = "USER_SUPPRESSED"

LIFTS_SUPPRESSIONS = "Subscribing lifts email suppressions (UNSUBSCRIBE, SPAM_REPORT, USER_SUPPRESSED)."
HISTORICAL_NOTE = (
    "Historical import: each row's consented_at is recorded, no double opt-in confirmation is sent and no "
    "'Added to list' flow runs."
)
GLOBAL_TRAP = (
    "not in the list: Klaviyo would unsubscribe this person from ALL email/SMS marketing (a global unsubscribe)"
)
UNSUPPRESS_NOTE = "Unsuppress lifts USER_SUPPRESSED only: hard bounces, invalid emails and spam complaints stay."


class ConsentPlanError(ValueError):
    """The options cannot make a plan (e.g. SMS suppression, an unsubscribe with neither a list nor --global)."""


@dataclass(frozen=True)
class ConsentOptions:
    action: str
    channels: tuple[str, ...] = (EMAIL,)
    list_id: str | None = None
    list_name: str | None = None
    historical: bool = False
    global_unsubscribe: bool = False

    def check(self) -> None:
        if self.action not in ACTIONS:
            raise ConsentPlanError(f"The action is one of {', '.join(ACTIONS)}, not '{self.action}'.")
        if not self.channels or any(c not in (EMAIL, SMS) for c in self.channels):
            raise ConsentPlanError("The channels are email and/or sms.")
        if self.action in (SUPPRESS, UNSUPPRESS) and self.channels != (EMAIL,):
            raise ConsentPlanError("Suppression is for email only: use --channel email.")
        if self.action in (SUPPRESS, UNSUPPRESS) and self.list_id:
            raise ConsentPlanError("Suppress and unsuppress work on the file's emails, not on a list: drop --list.")
        if self.historical and self.action != SUBSCRIBE:
            raise ConsentPlanError("--historical is for subscribe only (it records when past consent was given).")
        if self.action == UNSUBSCRIBE and not self.list_id and not self.global_unsubscribe:
            raise ConsentPlanError(
                "An unsubscribe without a list is global (every marketing message stops): give --list to take people "
                "off one list, or --global to mean a global unsubscribe."
            )


@dataclass
class Change:
    """One row and channel: what it is now, what the plan does, and why (shown and reported)."""

    line: int
    who: str
    channel: str
    status: str
    before: str = ""
    note: str = ""


@dataclass
class ConsentPlan:
    options: ConsentOptions
    rows: tuple[ConsentRow, ...]
    changes: list[Change]
    double_opt_in: bool = False
    warnings: list[str] = field(default_factory=list)
    target: Target | None = None

    def counts(self) -> dict[str, dict[str, int]]:
        """status -> channel -> rows (every status and chosen channel present, zeros included)."""
        out = {s: dict.fromkeys(self.options.channels, 0) for s in STATUSES}
        for c in self.changes:
            out[c.status][c.channel] = out[c.status].get(c.channel, 0) + 1
        return out

    @property
    def writes(self) -> int:
        return sum(1 for c in self.changes if c.status == CHANGE)

    @property
    def global_count(self) -> int:
        """Unsubscribes that are global: every one without a list, and non-members when --global was chosen."""
        if self.options.action != UNSUBSCRIBE:
            return 0
        return sum(1 for c in self.changes if c.status == CHANGE and (not self.options.list_id or "GLOBAL" in c.note))

    def effect(self) -> str:
        """The LIVE confirmation's summary: counts per action and channel, and whether the unsubscribe is global."""
        counts = self.counts()[CHANGE]
        per = " and ".join(f"{n:,} {ch}" for ch, n in counts.items() if n) or "nothing"
        where = f" list '{self.options.list_name or self.options.list_id}'" if self.options.list_id else ""
        text = f"{self.options.action} {per}"
        if self.options.action == SUBSCRIBE:
            text += f" to{where}" if where else ""
            text += " as a historical import (no double opt-in)" if self.options.historical else ""
            text += " (a double opt-in list: each person gets a confirmation email)" if self.double_opt_in else ""
        elif self.options.action == UNSUBSCRIBE:
            glob = self.global_count
            text += f" from{where}" if where else ""
            text += f", of which {glob:,} GLOBALLY (from all marketing)" if glob else ", none of them globally"
        return text

    def shown_apart(self) -> list[Change]:
        return [c for c in self.changes if c.status in (HELD, INVALID)]


def _quoted(values: Iterable[str]) -> str:
    return json.dumps(list(values))


def _read_profiles(client: KlaviyoClient, field_name: str, values: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(values), READ_BATCH):
        batch = values[start : start + READ_BATCH]
        params = {
            "filter": f"any({field_name},{_quoted(batch)})",
            "additional-fields[profile]": "subscriptions",
            "page[size]": READ_BATCH,
        }
        for item in client.iter_resources("/api/profiles", params):
            attrs = item.get("attributes") or {}
            key = attrs.get(field_name)
            if key:
                out[str(key).lower() if field_name == "email" else str(key)] = attrs
    return out


def _list_members(client: KlaviyoClient, list_id: str, field_name: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), READ_BATCH):
        params = {"filter": f"any({field_name},{_quoted(values[start : start + READ_BATCH])})", "page[size]": 100}
        for item in client.iter_resources(f"/api/lists/{list_id}/profiles", params):
            key = (item.get("attributes") or {}).get(field_name)
            if key:
                found.add(str(key).lower() if field_name == "email" else str(key))
    return found


@dataclass
class Current:
    """What the account holds for the file's people (read once, in batches)."""

    by_email: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_phone: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)  # emails and phones in the chosen list

    def profile(self, row: ConsentRow) -> dict[str, Any] | None:
        found = self.by_email.get(row.email.lower()) if row.email else None
        if found is None and row.phone:
            found = self.by_phone.get(row.phone)
        return found

    def in_list(self, row: ConsentRow) -> bool:
        return bool(row.email and row.email.lower() in self.members) or bool(row.phone and row.phone in self.members)


def read_current(client: KlaviyoClient, rows: Iterable[ConsentRow], list_id: str | None) -> Current:
    rows = list(rows)
    emails = sorted({r.email.lower() for r in rows if r.email})
    by_email = _read_profiles(client, "email", emails)
    # a profile found by email carries its SMS consent too: phones are looked up only for the others
    phones = sorted({r.phone for r in rows if r.phone and r.email.lower() not in by_email})
    current = Current(by_email, _read_profiles(client, "phone_number", phones))
    if list_id:
        current.members = _list_members(client, list_id, "email", emails)
        current.members |= _list_members(client, list_id, "phone_number", phones)
    return current


def _state(profile: dict[str, Any] | None, channel: str) -> tuple[str, list[str]]:
    """(consent, suppression reasons) of one channel's marketing consent."""
    if profile is None:
        return "no profile", []
    marketing = ((profile.get("subscriptions") or {}).get(channel) or {}).get("marketing") or {}
    reasons = [str(s.get("reason")) for s in marketing.get("suppression") or [] if isinstance(s, dict)]
    return str(marketing.get("consent") or NEVER), reasons


def _before(consent: str, reasons: list[str]) -> str:
    return consent + (f", suppressed ({', '.join(reasons)})" if reasons else "")


def decide(options: ConsentOptions, row: ConsentRow, channel: str, current: Current) -> Change:
    """One row and channel against the account's current state."""
    change = Change(row.line, row.who, channel, CHANGE)
    if channel in row.problems:
        change.status, change.note = INVALID, row.problems[channel]
        return change
    profile = current.profile(row)
    consent, reasons = _state(profile, channel)
    change.before = _before(consent, reasons)
    listed = options.list_id is not None and current.in_list(row)
    if options.action == SUBSCRIBE:
        done = consent == SUBSCRIBED and not reasons and (options.list_id is None or listed)
        if done:
            change.status, change.note = UNCHANGED, "already subscribed" + (" and in the list" if listed else "")
        elif reasons:
            change.note = f"subscribing lifts the suppression ({', '.join(reasons)})"
    elif options.action == UNSUBSCRIBE:
        if profile is None:
            change.status, change.note = UNCHANGED, "no profile with this email or phone: nothing to unsubscribe"
        elif options.list_id and listed:
            change.note = "leaves the list (its global consent stays)"
        elif options.list_id and not options.global_unsubscribe:
            change.status, change.note = HELD, GLOBAL_TRAP
        elif consent == UNSUBSCRIBED:
            change.status, change.note = UNCHANGED, "already unsubscribed"
        else:
            change.note = "GLOBAL unsubscribe: stops all " + channel + " marketing"
    elif options.action == SUPPRESS:
        if USER_SUPPRESSED in reasons:
            change.status, change.note = UNCHANGED, "already suppressed"
        elif profile is None:
            change.note = "no profile yet: Klaviyo creates one, suppressed"
    elif USER_SUPPRESSED not in reasons:  # unsuppress
        stays = [r for r in reasons if r != USER_SUPPRESSED]
        change.status = UNCHANGED
        change.note = (
            f"stays suppressed ({', '.join(stays)}): only USER_SUPPRESSED can be lifted"
            if stays
            else ("not suppressed")
        )
    return change


def double_opt_in(client: KlaviyoClient, list_id: str) -> bool:
    attrs = ((client.get(f"/api/lists/{list_id}") or {}).get("data") or {}).get("attributes") or {}
    return attrs.get("opt_in_process") == "double_opt_in"


def make_plan(options: ConsentOptions, consent_file: ConsentFile, current: Current, *, double: bool) -> ConsentPlan:
    changes = [decide(options, row, ch, current) for row in consent_file.rows for ch in row.channels]
    plan = ConsentPlan(options, consent_file.rows, changes, double_opt_in=double and not options.historical)
    plan.warnings = list(consent_file.warnings)
    if options.action == SUBSCRIBE:
        plan.warnings.append(LIFTS_SUPPRESSIONS)
        if options.historical:
            plan.warnings.append(HISTORICAL_NOTE)
        elif double:
            plan.warnings.append(
                "This list uses double opt-in: each person gets a confirmation email and is subscribed only once "
                "they confirm (a historical import skips it)."
            )
    if options.action == UNSUBSCRIBE:
        held = sum(1 for c in changes if c.status == HELD)
        if held:
            plan.warnings.append(
                (f"{held:,} rows are not in the list" if held != 1 else "1 row is not in the list")
                + ": Klaviyo would unsubscribe them globally, so they are left out. Choose a global unsubscribe "
                "to include them."
            )
        if plan.global_count:
            plan.warnings.append(f"{plan.global_count:,} unsubscribes are GLOBAL: those people get no marketing.")
    if options.action == UNSUPPRESS:
        plan.warnings.append(UNSUPPRESS_NOTE)
    return plan


def plan_consent(
    client: KlaviyoClient, consent_file: ConsentFile, options: ConsentOptions, *, target: Target | None = None
) -> ConsentPlan:
    """Read the current consent of the file's people and plan every row and channel; bound to the target."""
    options.check()
    bound = target_or_own(client, target)
    sendable = [r for r in consent_file.rows if set(r.channels) - set(r.problems)]
    current = read_current(client, sendable, options.list_id)
    double = bool(options.list_id) and options.action == SUBSCRIBE and double_opt_in(client, options.list_id or "")
    plan = make_plan(options, consent_file, current, double=double)
    plan.target = bound
    return plan
