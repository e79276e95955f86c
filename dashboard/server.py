"""The web server: the dashboard, plus the routes that set and clear the sign-in cookie.

Start it with `streamlit run dashboard/server.py` (Streamlit finds the st.App below and serves
the dashboard and these routes from one port), as `make run` and the tests do.
"""

import streamlit as st

from dashboard.session_routes import ROUTES
from dashboard.settings import ROOT
from dashboard.ui.errors import script_error

app = st.App(ROOT / "dashboard/app.py", routes=ROUTES, on_script_error=script_error)
