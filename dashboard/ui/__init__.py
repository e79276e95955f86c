"""Streamlit helpers: context, cached queries, navigation, charts and widgets."""
