"""The web server: the dashboard, the routes that set and clear the sign-in cookie, the
open-data API (/api, dashboard/api_routes.py) and the health check a load balancer polls
(GET /healthz).

Start it with `streamlit run dashboard/server.py` (Streamlit finds the st.App below and serves
the dashboard and these routes from one port), as `make run` and the tests do.
"""

import streamlit as st

from dashboard.api_routes import ROUTES as API_ROUTES
from dashboard.health import HEALTH_ROUTE, database_state, log_state
from dashboard.notify import where_mail_goes
from dashboard.session_routes import ROUTES
from dashboard.settings import ROOT
from dashboard.ui.errors import script_error

log_state(database_state())  # an empty, unmigrated or unreachable database is named at start
print(where_mail_goes(), flush=True)  # make run says where mail would go
app = st.App(
    ROOT / "dashboard/app.py",
    routes=[*ROUTES, *API_ROUTES, HEALTH_ROUTE],
    on_script_error=script_error,
)
