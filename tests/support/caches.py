"""Forget what the app process cached, so the next AppTest run reads the environment afresh."""

import streamlit as st

from dashboard.db import get_engine
from dashboard.settings import get_settings
from dashboard.ui.data import check_shared, forget_shared


def clear_caches() -> None:
    """Forget cached settings, engines and Streamlit caches (after checking that no page
    changed a query result every session shares)."""
    try:
        check_shared()
    finally:
        forget_shared()
    get_settings.cache_clear()
    get_engine.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
