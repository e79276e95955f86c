"""Forget what the app process cached, so the next AppTest run reads the environment afresh."""

import streamlit as st

from dashboard.db import get_engine
from dashboard.settings import get_settings


def clear_caches() -> None:
    """Forget cached settings, engines and Streamlit caches."""
    get_settings.cache_clear()
    get_engine.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
