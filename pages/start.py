"""Min side: what needs the signed-in person now, most urgent first (partners and visitors: the
latest published report and what changed since the one before)."""

from dashboard.ui.context import current_actor
from dashboard.ui.data import current_mission
from dashboard.ui.start import intro_key, start_view
from dashboard.ui.widgets import page_header

actor = current_actor()
mission = current_mission()
page_header("page.start", intro_key(actor.role))
start_view(actor, mission)
