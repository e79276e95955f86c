"""The mission dashboard: settings, database, services, UI helpers and the Streamlit entry point."""
