"""Keys: saved Klaviyo accounts (keys in the OS keyring), tested and explained; the sandbox needs none.

Status marks are Material icons plus words (DESIGN §5: an emoji renders as an empty box without an emoji
font). A failed test keeps what was typed in the form (in this browser session only, never logged), so the
person fixes the one wrong field instead of typing everything again."""

from __future__ import annotations

import os

import streamlit as st

from klaviyo_app.ui import accounts
from klaviyo_app.ui.text import md, show_md, show_text
from klaviyo_core.accounts import (
    ENV_ACCOUNT_NAME,
    ENV_KEY,
    LIVE_BASE_URL,
    PUBLIC_VS_PRIVATE,
    SANDBOX,
    AccountRecord,
    CredentialsError,
    mask_key,
    page_abilities,
)

BADGES = {
    "ok": ":green[:material/check_circle: OK]",
    "failed": ":red[:material/cancel: Failed]",
    "not tested": ":gray[:material/help: Not tested]",
}
ACTIVE_MARK = ":material/star: **Active** · "
LIVE_MARK = ":red[:material/public: **LIVE**] · "
TEST_MARK = ":material/science: test server · "


def show_flash() -> None:
    level, message = st.session_state.pop(accounts.FLASH, (None, None)) or (None, None)
    if level:
        show_text(level, message)


def sandbox_row(active: str) -> None:
    with st.container(border=True):
        mark = ACTIVE_MARK if active == SANDBOX else ""
        st.markdown(f"{mark}**{SANDBOX}** · :material/science: built-in, needs no key")
        if active != SANDBOX:
            st.button("Use", key="keys.use.sandbox", on_click=accounts.use_account, args=(SANDBOX,))


def environment_row(active: str) -> None:
    """KLAVIYO_API_KEY (servers): usable like an account, never saved; the key stays in the environment."""
    if not os.environ.get(ENV_KEY):
        return
    account = accounts.environment_account()
    if account is None:
        show_text("error", accounts.environment_problem() or f"{ENV_KEY} is set but is not usable.")
        return
    with st.container(border=True):
        mark = ACTIVE_MARK if active == ENV_ACCOUNT_NAME else ""
        live = LIVE_MARK if account.live else TEST_MARK
        st.markdown(f"{mark}**{ENV_ACCOUNT_NAME}** · {live}`{mask_key(account.api_key)}`")
        show_text(
            "caption", f"{account.base_url} · set outside the app; the command line uses it when no account is named"
        )
        use, test, _ = st.columns([1, 1, 4])
        if active != ENV_ACCOUNT_NAME:
            use.button("Use", key="keys.use.env", on_click=accounts.use_account, args=(ENV_ACCOUNT_NAME,))
        test.button("Test", key="keys.test.env", on_click=accounts.test_saved, args=(ENV_ACCOUNT_NAME,))


def account_row(record: AccountRecord, active: str) -> None:
    with st.container(border=True):
        mark = ACTIVE_MARK if active == record.name else ""
        live = LIVE_MARK if record.live else TEST_MARK
        show_md(
            "markdown",
            mark + "**{name}** · " + live + f"`{record.fingerprint}` · {BADGES[record.status]}",
            name=record.name,
        )
        info = record.klaviyo
        if info.name:
            show_text("caption", f"Klaviyo account {info.name} ({info.id}) · {info.timezone} · {info.currency}")
        show_text("caption", f"{record.base_url} · revision {record.revision}")
        if record.last_test is not None:
            summary = record.last_test.summary.split(" This key cannot:")[0]  # the table below says it per page
            show_text("caption", f"Last test {record.last_test.when}: {summary}")
            scope_table(record.last_test.cannot, record.last_test.unknown, f"keys.scopes.{record.id}")
        use, test, _ = st.columns([1, 1, 4])
        if active != record.name:
            use.button("Use", key=f"keys.use.{record.id}", on_click=accounts.use_account, args=(record.name,))
        test.button("Test", key=f"keys.test.{record.id}", on_click=accounts.test_saved, args=(record.name,))
        with st.expander("Edit or remove"):
            edit_form(record)
            confirm = st.checkbox(
                md("Yes, remove '{name}' and delete its key from the keyring", name=record.name),
                key=f"keys.confirm.{record.id}",
            )
            st.button(
                "Remove",
                key=f"keys.remove.{record.id}",
                disabled=not confirm,
                on_click=accounts.remove_account,
                args=(record.name,),
            )


def scope_table(cannot: tuple[str, ...], unknown: tuple[str, ...], key: str) -> None:
    """What each page can and cannot do with this key (from its last test), one row per page."""
    with st.expander("What this key can do, page by page", expanded=bool(cannot)):
        st.dataframe(page_abilities(cannot, unknown), hide_index=True, key=key)


def edit_form(record: AccountRecord) -> None:
    prefix = f"keys.edit.{record.id}"

    def submit() -> None:
        accounts.edit_account(
            record.name,
            st.session_state[f"{prefix}.name"],
            st.session_state[f"{prefix}.base_url"],
            st.session_state[f"{prefix}.key"],
            st.session_state[f"{prefix}.live"],
        )
        st.session_state[f"{prefix}.key"] = ""  # never keep a pasted key around in session state

    with st.form(prefix, clear_on_submit=True):
        st.text_input("Name", value=record.name, key=f"{prefix}.name")
        st.text_input("Base URL", value=record.base_url, key=f"{prefix}.base_url")
        st.text_input("Replace key (leave empty to keep it)", type="password", key=f"{prefix}.key")
        st.checkbox(
            "Treat as LIVE even on this computer (a tunnel or proxy to a real store)",
            value=record.marked_live,
            key=f"{prefix}.live",
            help="LIVE accounts need the account name typed before every write.",
        )
        st.form_submit_button("Save changes", on_click=submit)


def add_form() -> None:
    def submit() -> None:
        saved = accounts.add_account(
            st.session_state["keys.add.name"],
            st.session_state["keys.add.key"],
            st.session_state["keys.add.base_url"],
            st.session_state["keys.add.test"],
        )
        if saved:  # a failed test keeps Name and Key as typed, to fix rather than retype
            st.session_state["keys.add.name"] = st.session_state["keys.add.key"] = ""

    with st.form("keys.add"):
        st.subheader("Add an account")
        st.text_input("Name", placeholder="Acme US", key="keys.add.name")
        st.text_input("Private API key", type="password", placeholder="pk_...", key="keys.add.key")
        st.text_input("Base URL", value=LIVE_BASE_URL, key="keys.add.base_url")
        st.checkbox("Test the key with real calls before saving", value=True, key="keys.add.test")
        st.form_submit_button("Test and save", on_click=submit)
    with st.expander("Public key or private key?"):
        st.write(PUBLIC_VS_PRIVATE)


def no_keyring_panel() -> None:
    st.warning(
        "This computer has no keyring (password store), so keys cannot be saved here. That is normal on a "
        "headless server. Nothing will be written to a file instead. Two honest alternatives:"
    )
    st.markdown(
        f"- **This browser tab only**: paste a key below; the app holds it in memory for this tab. Reloading "
        f"the page, opening another tab or restarting the app forgets it (paste it again then).\n"
        f"- **Environment variable**: start the app or the CLI with `{ENV_KEY}` set (servers, cron)."
    )
    current = accounts.session_account()
    if current is not None:
        show_md("info", "Session key in use: {label} · " + f"`{current.fingerprint}`", label=current.label)
        scope_table(current.cannot, current.unknown, "keys.scopes.session")
        st.button("Forget the session key", key="keys.session.forget", on_click=accounts.forget_session_key)

    def submit() -> None:
        used = accounts.use_session_key(
            st.session_state["keys.session.name"],
            st.session_state["keys.session.key"],
            st.session_state["keys.session.base_url"],
        )
        if used:  # a failed test keeps Name and Key as typed, to fix rather than retype
            st.session_state["keys.session.name"] = st.session_state["keys.session.key"] = ""

    with st.form("keys.session"):
        st.text_input("Name", placeholder="Acme US", key="keys.session.name")
        st.text_input("Private API key", type="password", placeholder="pk_...", key="keys.session.key")
        st.text_input("Base URL", value=LIVE_BASE_URL, key="keys.session.base_url")
        st.form_submit_button("Test and use for this session", on_click=submit)


st.title("Keys")
if accounts.keyring_available():
    st.caption("Saved private keys are kept in your system keyring, never in a file; this page never shows them again.")
else:
    st.caption("This computer has no keyring, so keys cannot be saved: use one in this tab, or from the environment.")
show_flash()
active = accounts.active_name()
sandbox_row(active)
environment_row(active)
try:
    records = accounts.store().saved()
except CredentialsError as exc:
    show_text("error", exc)
    records = []
for record in records:
    account_row(record, active)
if accounts.keyring_available():
    add_form()
else:
    no_keyring_panel()
