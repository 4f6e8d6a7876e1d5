"""Test events: build an event, see the exact request, send it safely, see it land.

Thin page: widgets -> klaviyo_core (event_form, events, event_send, event_bulk, event_history) -> render.
The LIVE guard is the core's; this page shows its texts and asks `ui.confirm` for a one-write token.
A blank Profile is not an error until the person has typed into it or pressed Send: a fresh form opens
without red, and sending stays blocked (the button explains, the press shows the field's error).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import WriteFailure, attempt_write, confirm_box, confirmed_write
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.historical_events import historical_section
from klaviyo_app.ui.text import md, show_md, show_text
from klaviyo_core.accounts import Target
from klaviyo_core.events import (
    IDENTIFIER_KINDS,
    Event,
    EventForm,
    EventHistory,
    HistoryEntry,
    SendResult,
    build_from_form,
    events_for_profiles,
    live_guard,
    now_iso,
    preview,
    sample_profile_emails,
    send,
    send_bulk,
    template_names,
)

# Widget and session keys (explicit, prefixed: this page owns them).
K_TEMPLATE = "events_template"
K_METRIC = "events_metric"
K_KIND = "events_identifier_kind"
K_IDENTIFIER = "events_identifier"
K_FIRST_NAME = "events_first_name"
K_PROPERTIES = "events_properties"
K_VALUE = "events_value"
K_CURRENCY = "events_currency"
K_TIME = "events_time"
K_UNIQUE = "events_unique_id"
K_CONFIRM = "events_confirm_account"
K_SEND = "events_send"
K_PROFILE_TOUCHED = "events_profile_touched"
K_SEND_TRIED = "events_send_tried"
NOT_SENT_FORM = "Not sent: fix the form first (see above)."
K_SESSION_HISTORY = "events_session_history"
K_LAST_RESULT = "events_last_result"
K_HISTORY_PICK = "events_history_pick"
K_BULK_COUNT = "events_bulk_count"
K_BULK_BASE = "events_bulk_base_email"
K_BULK_SEND = "events_bulk_send"
K_BULK_CONFIRM = "events_bulk_confirm"
FORM_KEYS = {
    "metric": K_METRIC,
    "identifier_kind": K_KIND,
    "identifier": K_IDENTIFIER,
    "first_name": K_FIRST_NAME,
    "properties_text": K_PROPERTIES,
    "value_text": K_VALUE,
    "currency": K_CURRENCY,
    "time_text": K_TIME,
}


def _fill_form(form: EventForm) -> None:
    for name, key in FORM_KEYS.items():
        st.session_state[key] = getattr(form, name)


def _load_template() -> None:
    identifier = st.session_state.get(K_IDENTIFIER, "")
    kind = st.session_state.get(K_KIND, "email")
    _fill_form(EventForm.from_template(st.session_state[K_TEMPLATE], identifier, kind))


def _current_form() -> EventForm:
    form = EventForm(**{name: st.session_state.get(key, "") for name, key in FORM_KEYS.items()})
    form.unique_id = st.session_state.get(K_UNIQUE, "")
    return form


def _init_state() -> None:
    if K_METRIC not in st.session_state:
        st.session_state[K_TEMPLATE] = template_names()[0]
        _fill_form(EventForm.from_template(template_names()[0]))
    st.session_state.setdefault(K_SESSION_HISTORY, [])


def _record(result: SendResult, target: Any, history: EventHistory) -> None:
    entry = HistoryEntry(
        sent_at=now_iso(),
        target="live" if target.live else "sandbox",
        account=target.name,
        metric=result.event.metric,
        profile=result.event.profile_label,
        status=result.status,
        ok=result.ok,
        outcome=result.outcome,
        event=result.event.to_dict(),
        response=result.response,
    )
    history.append(entry)
    st.session_state[K_SESSION_HISTORY].insert(0, entry)
    st.session_state[K_LAST_RESULT] = result


def _effect(event: Event) -> str:
    return f"send the event '{event.metric}' for {event.profile_label}"


def _touch_profile() -> None:
    st.session_state[K_PROFILE_TOUCHED] = True


def _form_column() -> None:
    st.selectbox("Template", template_names(), key=K_TEMPLATE, on_change=_load_template)
    st.text_input("Metric", key=K_METRIC, help="A new name creates a new metric on first use.")
    kind_col, id_col = st.columns([1, 2])
    kind_col.selectbox("Profile by", IDENTIFIER_KINDS, key=K_KIND)
    id_col.text_input(
        "Profile", key=K_IDENTIFIER, placeholder="you+klaviyo-test@yourcompany.com", on_change=_touch_profile
    )
    st.text_input("First name (optional)", key=K_FIRST_NAME)
    st.text_area("Properties (JSON)", key=K_PROPERTIES, height=320)
    value_col, currency_col = st.columns(2)
    value_col.text_input("Value", key=K_VALUE, placeholder="e.g. 42.50")
    currency_col.text_input("Currency", key=K_CURRENCY)
    st.text_input("Time (ISO 8601, any timezone; blank = now)", key=K_TIME)
    st.text_input(
        "Unique id",
        key=K_UNIQUE,
        help="Klaviyo keeps one event per profile, metric and unique id: type your order id to make a re-send "
        "harmless. Blank gets a fresh one; after each send the field gets a fresh one again.",
    )


def _profile_pending(errors: list[Any]) -> bool:
    """Only the Profile is missing and the person has not got to it yet: nothing to scold about."""
    untouched = not (st.session_state.get(K_PROFILE_TOUCHED) or st.session_state.get(K_SEND_TRIED))
    return untouched and [e.field for e in errors] == ["profile"]


def _preview_column(event: Event | None, errors: list[Any], client: Any, pending: bool) -> None:
    st.subheader("Request preview")
    for warning in built.warnings:  # sendable, but probably not what the person meant
        show_text("warning", warning, icon=":material/warning:")
    if pending:
        st.info("Enter the **Profile** the event is for (an email, phone number or external id) to see the request.")
        return
    for problem in errors:
        show_md("error", "**{field}**: {message}", field=problem.field, message=problem.message)
        if problem.snippet:
            st.code(problem.snippet, language=None)
    if event is None:
        st.caption("Fix the form to see the request.")
        return
    shown = preview(event, client.config)
    st.code(f"{shown.method} {shown.url}\n" + "\n".join(f"{k}: {v}" for k, v in shown.headers.items()), language="http")
    st.code(shown.body_json(), language="json")
    where = (
        "the local sandbox's key, shown in full"
        if shown.inline_credential
        else "reads the key from $" + shown.credential_env
    )
    with st.expander(f"curl ({where})"):
        st.code(shown.curl(), language="bash")


def _send_controls(event: Event | None, target: Any, client: Any, history: EventHistory, pending: bool) -> None:
    """Disabled while the form is wrong, except for a not-yet-entered Profile on the sandbox: pressing Send then
    says what is missing, which a greyed-out button never does. A LIVE send always waits for its guard."""
    if target.live and event is not None:
        guard = live_guard(target.name, event)
        show_text("warning", guard.warning)
        show_text("info", guard.suggestion)
        ready = confirm_box(target, _effect(event), K_CONFIRM)
    else:
        ready = event is not None or (pending and not target.live)
    label = md("Send to LIVE account '{name}'", name=target.name) if target.live else "Send to sandbox"
    help_text = "Enter the Profile first." if pending else None
    st.button(
        label,
        key=K_SEND,
        type="primary",
        disabled=not ready,
        help=help_text,
        on_click=_on_send,
        args=(target, client, history),
    )


def _on_send(target: Any, client: Any, history: EventHistory) -> None:
    """Runs before the rerun, so it may reset widgets: a LIVE confirmation is good for one send only."""
    event = build_from_form(_current_form()).event  # the same unique_id as the preview the person saw
    if event is None:
        st.session_state[K_SEND_TRIED] = True  # from now on the form's errors show
        st.session_state[K_LAST_RESULT] = NOT_SENT_FORM
        return
    result = attempt_write(
        target, _effect(event), K_CONFIRM, lambda token: send(client, event, target=target, confirmation=token)
    )
    if isinstance(result, WriteFailure):  # refused or failed: said in words on the next run, never a traceback
        st.session_state[K_LAST_RESULT] = result.text()
        return
    _record(result, target, history)
    st.session_state[K_UNIQUE] = ""  # the next send gets a fresh unique_id
    st.session_state[K_CONFIRM] = ""


def _show_last_result() -> None:
    result: SendResult | str | None = st.session_state.get(K_LAST_RESULT)
    if result is None:
        return
    if isinstance(result, str):
        show_text("error", result)
        return
    if result.ok:
        show_text("success", result.outcome)
    else:
        show_text("error", result.outcome)
        if result.explanation:
            show_text("info", f"What to do: {result.explanation.todo}")
        if result.response:
            st.json(result.response, expanded=False)


def _bulk_section(event: Event | None, target: Any, client: Any) -> None:
    with st.expander("Bulk: the same event to N test profiles"):
        count = st.number_input("Profiles", 1, 5000, 10, key=K_BULK_COUNT)
        base = st.text_input("Base address", "you+klaviyo-test@yourcompany.com", key=K_BULK_BASE)
        events = events_for_profiles(event, sample_profile_emails(int(count), base)) if event is not None else []
        effect = f"send {len(events):,} events"
        label = "Type the account name to confirm the bulk send"
        ready = confirm_box(target, effect, K_BULK_CONFIRM, label) if events else False
        if st.button(f"Send {len(events)} events in bulk", key=K_BULK_SEND, disabled=not ready):
            result = confirmed_write(
                target,
                effect,
                K_BULK_CONFIRM,
                lambda token: send_bulk(client, events, target=target, confirmation=token),
            )
            if result is None:
                return
            st.success(f"{result.accepted_events} events accepted in {result.batches} request(s).")
            for index, why in result.failures:
                show_text("error", f"Batch {index + 1}: {why.what} What to do: {why.todo}")


def _history_entries(target: Any, history: EventHistory) -> list[tuple[bool, HistoryEntry]]:
    """(sent in this session?, entry): this session's sends to this account first, then earlier saved ones."""
    session = [e for e in st.session_state[K_SESSION_HISTORY] if e.account == target.name]
    seen = {(e.sent_at, e.event.get("unique_id")) for e in session}
    older = [e for e in history.load(50) if (e.sent_at, e.event.get("unique_id")) not in seen]
    return [(True, e) for e in session] + [(False, e) for e in older]


def _history_section(target: Any, client: Any, history: EventHistory) -> None:
    st.subheader("Sent events")
    entries = _history_entries(target, history)
    if not entries:
        show_text("caption", f"Nothing sent to {target.name} yet.")
        return
    rows = [{"when": "this session" if mine else "earlier", **e.row()} for mine, e in entries]
    st.dataframe(rows, hide_index=True, width="stretch")
    labels = [f"#{i + 1} {e.sent_at} {e.metric} → {e.profile} ({e.status})" for i, (_, e) in enumerate(entries)]
    pick = st.selectbox("Pick an event", labels, key=K_HISTORY_PICK)
    chosen = entries[labels.index(pick) if pick in labels else 0][1]
    load_col, resend_col = st.columns(2)
    load_col.button("Load into form", key="events_history_load", on_click=_load_entry, args=(chosen,))
    resend_col.button(
        "Re-send (now, new unique_id)",
        key="events_history_resend",
        on_click=_resend_entry,
        args=(chosen, target, client, history),
    )
    if chosen.response:
        st.json(chosen.response, expanded=False)


def _load_entry(entry: HistoryEntry) -> None:
    _fill_form(EventForm.from_event(entry.event))


def _resend_entry(entry: HistoryEntry, target: Any, client: Any, history: EventHistory) -> None:
    """Load the entry with time = now and a fresh unique_id, then send it through the same guard."""
    form = EventForm.from_event(entry.event)
    form.time_text = ""
    _fill_form(form)
    st.session_state[K_UNIQUE] = ""
    _on_send(target, client, history)


# -- the page, top to bottom -------------------------------------------------------------------------
st.title("Test events")
client = get_client()
with guarded() as identifying:  # the account cannot be identified: nothing can be sent to it
    target: Target = get_target()  # the account sends go to (and a LIVE confirmation names)
if identifying.failed:
    st.stop()
history = EventHistory(target.name)
_init_state()
st.session_state.setdefault(K_UNIQUE, "")
built = build_from_form(_current_form())
if built.event is not None and not st.session_state[K_UNIQUE]:
    st.session_state[K_UNIQUE] = built.event.unique_id  # the id shown is the id sent
if target.live:
    show_text("error", f"LIVE account: {target.name}. Events you send here trigger real flows.")
else:
    show_text("caption", f"Target: sandbox ({target.name}). Nothing reaches real customers.")
left, right = st.columns(2)
with left:
    _form_column()
pending = _profile_pending(built.errors)
if built.event is not None and st.session_state.get(K_LAST_RESULT) == NOT_SENT_FORM:
    del st.session_state[K_LAST_RESULT]  # fixed since: the refusal is old news
if built.event is None and isinstance(st.session_state.get(K_LAST_RESULT), SendResult):
    del st.session_state[K_LAST_RESULT]  # the form changed into an error: an old "Accepted" would mislead
with right:  # the send button, its LIVE confirmation and its outcome first, above the (tall) preview
    _send_controls(built.event, target, client, history, pending)
    _show_last_result()
    _preview_column(built.event, built.errors, client, pending)
_bulk_section(built.event, target, client)
historical_section(target, client)
_history_section(target, client, history)
