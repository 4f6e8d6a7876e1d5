"""The active account for this browser session, the sidebar switcher, and the Keys page's actions.

The sandbox is always an account (no key). Saved accounts come from `klaviyo_core.credentials` (keys in the
OS keyring). Without a keyring, one key can be kept for this browser session only: it lives in
`st.session_state` inside a `SessionAccount`, whose repr masks the key, and is never written anywhere.
The page calls the functions here from widget callbacks, so every rerun renders the state after the action.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import streamlit as st

from klaviyo_app.ui import state
from klaviyo_app.ui.sandbox import embedded_sandbox
from klaviyo_app.ui.text import show_md, show_text
from klaviyo_core.accounts import (
    ENV_ACCOUNT_NAME,
    ENV_KEY,
    LIVE_BASE_URL,
    SANDBOX,
    AccountStore,
    CredentialsError,
    InvalidKey,
    KeyReport,
    ResolvedAccount,
    check_key,
    check_key_format,
    env_account,
    is_live,
    keyring_available,
    mask_key,
    validate_base_url,
    validate_name,
)
from klaviyo_core.http import CHECK_DEADLINE_SECONDS, ClientConfig, KlaviyoClient, host_warning
from klaviyo_spec import SPEC_REVISION

SANDBOX_NAME = SANDBOX
ACTIVE = state.ACTIVE_ACCOUNT  # the chosen account's name, per browser session
SESSION_ACCOUNT = "accounts.session_account"  # SessionAccount | None (no keyring: key in memory only)
SWITCHER = "accounts.switcher"  # the sidebar selectbox
FLASH = "accounts.flash"  # (level, message) from the last action, shown once by the Keys page
SESSION_SUFFIX = " (this session only)"


@dataclass(frozen=True)
class Target:
    """Where every page sends its calls (the embedded sandbox has a generated key the user never sees)."""

    name: str
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    live: bool = False
    revision: str = SPEC_REVISION


@dataclass(frozen=True)
class SessionAccount:
    """A key kept in memory for this browser session only (when there is no OS keyring)."""

    name: str
    api_key: str = field(repr=False)
    base_url: str = LIVE_BASE_URL
    revision: str = SPEC_REVISION
    report_summary: str = ""
    cannot: tuple[str, ...] = ()  # the key test's verdicts, for the Keys page's scope table
    unknown: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name + SESSION_SUFFIX

    @property
    def fingerprint(self) -> str:
        return mask_key(self.api_key)


def store() -> AccountStore:
    return AccountStore()


def flash(level: str, message: str) -> None:
    st.session_state[FLASH] = (level, message)


# -- the active account ----------------------------------------------------------------------------
def session_account() -> SessionAccount | None:
    value = st.session_state.get(SESSION_ACCOUNT)
    return value if isinstance(value, SessionAccount) else None


def environment_account() -> ResolvedAccount | None:
    """KLAVIYO_API_KEY, for servers: offered as an account when set (a malformed value is left out)."""
    try:
        return env_account()
    except CredentialsError:  # a malformed key, or KLAVIYO_BASE_URL refused (http off loopback)
        return None


def environment_problem() -> str | None:
    """Why the environment account is left out (for the Keys page), None when it is fine or unset."""
    try:
        env_account()
    except InvalidKey as exc:
        return f"{ENV_KEY} is set but is not a private key: {exc.reason}"
    except CredentialsError as exc:
        return str(exc)
    return None


def saved_names() -> list[str]:
    try:
        return store().names()
    except CredentialsError:
        return [SANDBOX]


def choices() -> list[str]:
    """Names for the switcher: the sandbox, saved accounts, then the environment and session-only keys."""
    names = saved_names()
    if environment_account() is not None:
        names.append(ENV_ACCOUNT_NAME)
    extra = session_account()
    return [*names, extra.label] if extra else names


def active_name() -> str:
    if ACTIVE not in st.session_state:
        try:
            st.session_state[ACTIVE] = store().active_name()
        except CredentialsError:
            st.session_state[ACTIVE] = SANDBOX
    name = st.session_state[ACTIVE]
    return name if name in choices() else SANDBOX


def set_active(name: str) -> None:
    """Switch every page's target; a saved account (or the sandbox) is also remembered for the next start."""
    st.session_state[ACTIVE] = name
    st.session_state[SWITCHER] = name
    if name in saved_names():
        with contextlib.suppress(CredentialsError):  # the settings file is only a convenience
            store().set_active(name)


def use_account(name: str) -> None:
    """The Keys page's "Use" button: switch, and say what that means."""
    set_active(name)
    live = active_target().live
    flash("warning" if live else "success", f"Every page now works on {name}" + (" (LIVE)." if live else "."))


def _sandbox_target() -> Target:
    sandbox = embedded_sandbox()
    return Target(SANDBOX, sandbox.url, sandbox.api_key, live=False)


def _resolve(name: str) -> ResolvedAccount | SessionAccount:
    extra = session_account()
    if extra is not None and name == extra.label:
        return extra
    if name == ENV_ACCOUNT_NAME:
        from_env = environment_account()
        if from_env is not None:
            return from_env
    return store().resolve(name)


def active_target() -> Target:
    """The account every page talks to. Falls back to the sandbox when a saved key cannot be read."""
    name = active_name()
    if name == SANDBOX:
        return _sandbox_target()
    try:
        account = _resolve(name)
        validate_base_url(account.base_url)  # an account saved before https was required off loopback
    except CredentialsError as exc:
        flash("error", f"Could not use '{name}': {exc} Using the sandbox instead.")
        st.session_state[ACTIVE] = SANDBOX
        return _sandbox_target()
    live = account.live if isinstance(account, ResolvedAccount) else is_live(account.base_url)
    # A session key's target is named as the user named it: a LIVE write asks for "Acme US", not for the
    # switcher's "Acme US (this session only)".
    shown = account.name if isinstance(account, SessionAccount) else name
    return Target(shown, account.base_url, account.api_key, live, account.revision)


def live_names() -> set[str]:
    """The switcher's choices that reach a real store, so each is marked LIVE before it is picked."""
    names: set[str] = set()
    with contextlib.suppress(CredentialsError):
        names = {r.name for r in store().saved() if r.live}
    from_env = environment_account()
    if from_env is not None and from_env.live:
        names.add(ENV_ACCOUNT_NAME)
    extra = session_account()
    if extra is not None and is_live(extra.base_url):
        names.add(extra.label)
    return names


def _on_switch() -> None:
    set_active(st.session_state[SWITCHER])


def render_account_switcher() -> None:
    """Sidebar: pick the account; a live one is always marked LIVE in red."""
    options = choices()
    current = active_name()
    if st.session_state.get(SWITCHER) != current:
        st.session_state[SWITCHER] = current
    live = live_names()
    st.selectbox(
        "Account",
        options,
        key=SWITCHER,
        on_change=_on_switch,
        format_func=lambda name: f"{name} (LIVE)" if name in live else name,
    )
    target = active_target()
    if target.live:
        show_md("markdown", "**Target:** :red[:material/public: **LIVE**] · {name}", name=target.name)
        st.error("LIVE account: changes reach real customers.", icon=":material/warning:")
    elif target.name == SANDBOX:
        st.markdown(f"**Target:** :material/science: {SANDBOX} (local, safe to try anything)")
    else:
        show_md(
            "markdown",
            "**Target:** :material/science: {name} (test server {url})",
            name=target.name,
            url=target.base_url,
        )
    if target.name != SANDBOX:  # what every write is bound to (the account id shows with each plan)
        show_md("caption", "{url} · key {key}", url=target.base_url, key=mask_key(target.api_key))
    if warning := host_warning(target.base_url):
        show_text("warning", warning, icon=":material/warning:")


# -- actions for the Keys page (called from widget callbacks) --------------------------------------
def _client(key: str, base_url: str, revision: str) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=key, base_url=base_url, revision=revision))


def run_check(key: str, base_url: str, revision: str) -> KeyReport:
    client = _client(key, base_url, revision)
    try:
        with st.spinner(f"Testing the key with {base_url} (gives up after {CHECK_DEADLINE_SECONDS:g} s)..."):
            return check_key(client, deadline=CHECK_DEADLINE_SECONDS)
    finally:
        client.close()


def report_message(report: KeyReport, table: bool = True) -> tuple[str, str]:
    """(level, text) after a test; with `table` the Keys page shows the per-page table, so the text only
    points at it instead of listing scopes in a paragraph."""
    if not report.ok:
        return "error", f"{report.summary} {report.todo}".strip()
    if report.cannot and table:
        pages = '"What this key can do, page by page" shows what each page can and cannot do with it.'
        return "warning", f"{report.summary} Some things are not allowed for this key. {pages}"
    if report.cannot:
        return "warning", f"{report.summary} {report.cannot_text.capitalize()}."
    return "success", report.summary


def add_account(name: str, key_text: str, base_url: str, test: bool = True) -> bool:
    """Check the key's shape, test it with real calls, then save it. Returns True when saved."""
    verdict = check_key_format(key_text)
    if not verdict.ok:
        flash("error", verdict.reason)
        return False
    try:
        validate_name(name)
        base_url = validate_base_url(base_url)
        report = run_check(verdict.key, base_url, SPEC_REVISION) if test else None
        if report is not None and not report.ok:
            flash("error", f"Not saved. {report_message(report)[1]}")
            return False
        record = store().add(name, verdict.key, base_url=base_url)
        if report is not None:
            store().record_test(record.name, report.to_result(), report.account)
    except CredentialsError as exc:
        flash("error", str(exc))
        return False
    level, message = report_message(report) if report else ("info", "Saved without a test.")
    if warning := host_warning(base_url):
        level, message = "warning", f"{message} {warning}"
    flash(level, f"Saved '{record.name}' ({record.fingerprint}). {message}")
    return True


def test_saved(name: str) -> None:
    """Test a saved account (the result is stored) or the environment key (the result is only shown)."""
    try:
        account = _resolve(name)
        report = run_check(account.api_key or "", account.base_url, account.revision)
        if name in saved_names():
            store().record_test(name, report.to_result(), report.account)
    except CredentialsError as exc:
        flash("error", str(exc))
        return
    level, message = report_message(report, table=name != ENV_ACCOUNT_NAME)  # the environment's is not kept
    flash(level, f"{name}: {message}")


test_saved.__test__ = False  # type: ignore[attr-defined]


def edit_account(name: str, new_name: str, base_url: str, key_text: str, live: bool | None = None) -> None:
    """Rename, change the base URL, the LIVE mark and/or replace the key (an empty key field keeps the old key)."""
    s = store()
    try:
        record = s.get(name)
        if key_text.strip():
            verdict = check_key_format(key_text)
            if not verdict.ok:
                flash("error", verdict.reason)
                return
            record = s.replace_key(record.name, verdict.key)
        if base_url.strip() and base_url.strip().rstrip("/") != record.base_url:
            record = s.edit(record.name, base_url=base_url.strip())
        if live is not None and live != record.marked_live:
            record = s.edit(record.name, live=live)
        if new_name.strip() and new_name.strip() != record.name:
            was_active = active_name() == record.name
            record = s.rename(record.name, new_name)
            if was_active:
                set_active(record.name)
    except CredentialsError as exc:
        flash("error", str(exc))
        return
    flash("success", f"Saved changes to '{record.name}'.")


def remove_account(name: str) -> None:
    try:
        store().remove(name)
    except CredentialsError as exc:
        flash("error", str(exc))
        return
    if st.session_state.get(ACTIVE) == name:
        set_active(SANDBOX)
    flash("success", f"Removed '{name}' and deleted its key from the keyring.")


def use_session_key(name: str, key_text: str, base_url: str) -> bool:
    """No keyring: test the key and keep it in memory for this browser session only."""
    verdict = check_key_format(key_text)
    if not verdict.ok:
        flash("error", verdict.reason)
        return False
    try:
        base_url = validate_base_url(base_url)
    except CredentialsError as exc:
        flash("error", str(exc))
        return False
    label = " ".join((name or "").split()) or "Session key"
    report = run_check(verdict.key, base_url, SPEC_REVISION)
    if not report.ok:
        flash("error", f"Not used. {report_message(report)[1]}")
        return False
    summary = report_message(report)[1]
    account = SessionAccount(label, verdict.key, base_url, SPEC_REVISION, summary, report.cannot, report.unknown)
    st.session_state[SESSION_ACCOUNT] = account
    set_active(account.label)
    flash(
        report_message(report)[0],
        f"Using {account.fingerprint} in this browser tab only (a reload forgets it). {account.report_summary}",
    )
    return True


def forget_session_key() -> None:
    extra = session_account()
    st.session_state[SESSION_ACCOUNT] = None
    if extra is not None and st.session_state.get(ACTIVE) == extra.label:
        set_active(SANDBOX)
    flash("success", "Forgot the session key.")


__all__ = [
    "ENV_KEY",
    "Target",
    "active_target",
    "keyring_available",
    "render_account_switcher",
]
