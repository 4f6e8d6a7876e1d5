"""Home: where the workbench points, and a first path through it with files to try.

Status is said in words with Material icons (DESIGN §5: emoji render as empty boxes without an emoji font).
The connection test lives in the sidebar only (one button, one result), so Home does not repeat it.
"""

import streamlit as st

from klaviyo_app import __version__
from klaviyo_app.ui.accounts import SANDBOX_NAME, active_target
from klaviyo_app.ui.sandbox_info import render_sandbox_access
from klaviyo_app.ui.text import show_md, show_text
from klaviyo_core.samples import sample_files

PAGES = {
    "Keys": "klaviyo_app/app_pages/keys.py",
    "Profile upload": "klaviyo_app/app_pages/profiles_upload.py",
    "Tag upload": "klaviyo_app/app_pages/tags_upload.py",
    "Test events": "klaviyo_app/app_pages/test_events.py",
    "Metrics": "klaviyo_app/app_pages/metrics.py",
}
START_HERE = (
    ("Profile upload", ":material/group:", "Upload the sample profiles below and watch each row checked and sent."),
    ("Test events", ":material/bolt:", "Send a test event to a test profile and see the exact request."),
    ("Metrics", ":material/monitoring:", "Look at the demo metrics: trends, tables and a CSV export."),
)


def target_banner() -> None:
    target = active_target()
    if target.live:
        show_md(
            "warning",
            "You are working on the **LIVE** account **{name}**. Changes reach real customers.",
            ":material/public:",
            name=target.name,
        )
    elif target.name != SANDBOX_NAME:
        show_md(
            "info",
            "You are working on **{name}** at {url} (not Klaviyo's live API).",
            ":material/science:",
            name=target.name,
            url=target.base_url,
        )
    else:
        st.success(
            "You are in the **local sandbox**: a Klaviyo look-alike on this computer. Try anything; nothing "
            "reaches Klaviyo or your customers. Add a key on the Keys page when you are ready for a live account.",
            icon=":material/science:",
        )
        render_sandbox_access()  # its URL and key, so curl and the CLI reach the same demo data
    st.caption(f"Klaviyo Workbench {__version__} · speaks Klaviyo API revision {target.revision}")


def start_here() -> None:
    st.subheader("Start here")
    for n, (page, icon, what) in enumerate(START_HERE, start=1):
        step, link = st.columns([3, 1])
        step.markdown(f"**{n}.** {what}")
        link.page_link(PAGES[page], label=page, icon=icon)
    st.markdown("**Files to try**: download one, then upload it on the page named beside it.")
    for sample in sample_files():
        button, where = st.columns([2, 3], vertical_alignment="center")
        button.download_button(
            sample.title,
            sample.text,
            sample.filename,
            "text/csv",
            key=f"home_sample_{sample.filename}",
            on_click="ignore",
            icon=":material/download:",
            use_container_width=True,
        )
        show_text("caption", f"{sample.filename} · for the {sample.page} page", where=where)


st.title("Klaviyo Workbench")
target_banner()
start_here()
st.subheader("What each page does")
st.markdown(
    """
**Start**
- :material/key: **Keys**: save your private API keys safely (OS keyring), test them, see what each may do.

**Send data**
- :material/group: **Profile upload**: a CSV of customers to Klaviyo profiles, validated row by row, resumable.
- :material/sell: **Tag upload**: tag lists, segments, campaigns and flows in bulk from a CSV.
- :material/bolt: **Test events**: fire "Started Checkout" or any event at a test profile and see the exact request.
- :material/how_to_reg: **Consent**: subscribe, unsubscribe or suppress the people in a CSV, planned against what
  each one has now.
- :material/inventory_2: **Catalog**: products, variants and categories from a CSV, planned before they are sent.

**See results**
- :material/person_search: **See what landed**: one profile by email or phone: its fields, consent, lists, events.
- :material/groups: **Lists & segments**: member counts, the members themselves, a new list.
- :material/history: **History**: what this workbench wrote to the account, with each run's report again.
- :material/monitoring: **Metrics**: how your events trend, with numbers you can export.
- :material/campaign: **Campaigns & flows**: how your campaigns and flows performed.
- :material/ios_share: **Audience export**: a list's or a segment's members as CSV, hashed for an ad platform.

Is the account reachable? Press **Test connection** in the sidebar.
"""
)
