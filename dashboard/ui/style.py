"""The little CSS the theme cannot express: a keyboard focus ring that is seen everywhere.

Streamlit's theme (`.streamlit/config.toml`) has no setting for focus. Its own focus marks are
a ring in the primary colour at half strength (about 2:1 on white) on buttons and tabs, and
nothing at all on the sidebar's page links, where a focused link looks like the current page's
(issue 15, WCAG 2.4.7). This draws a 3 px ring in FOCUS_COLOUR, 2 px clear of the element, on
whatever has keyboard focus (`:focus-visible`): links, buttons, tabs, expanders, checkboxes,
radios, and around the box of a text field or select, the frame of a data grid (its cells are
drawn on a canvas) and a grid cell's editor. A mouse click on a link or button draws none; a
text field shows it on a click too, as browsers do, and so does the grid, whose cells take the
focus the same way from the mouse and the keys.
"""

import streamlit as st

# 7.1:1 on white, 6.6:1 on the sidebar (#f8f8f7), 5.5:1 on the current page's highlight there
# (#e4e4e2): WCAG 2.2's 3:1 for a focus indicator against everything next to it.
FOCUS_COLOUR = "#1f4fc4"
RING = f"outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important;"

FOCUS_CSS = f"""
:focus-visible {{ {RING} box-shadow: none !important; }}
/* a field's input sits clipped inside its bordered box: ring the box (or the label of a
   checkbox or radio, whose input is hidden) instead */
input:focus-visible, textarea:focus-visible {{ outline: none !important; }}
[data-testid="stTextInputRootElement"]:has(input:focus-visible),
[data-testid="stNumberInputContainer"]:has(input:focus-visible),
[data-testid="stTextAreaRootElement"]:has(textarea:focus-visible),
[role="group"]:has(input[role="combobox"]:focus-visible),
label:has(input[type="checkbox"]:focus-visible),
label:has(input[type="radio"]:focus-visible) {{ {RING} }}
/* tabs sit in a strip, the password field's eye in the field's box, and the main area fills
   the window: each clips a ring outside it, so theirs is drawn inside */
[role="tab"] {{ padding-inline: 0.375rem !important; }}
[role="tab"]:focus-visible, [data-testid="stMain"]:focus-visible,
[data-testid="stTextInputRootElement"] button:focus-visible {{
  outline-offset: -3px !important;
}}
/* a text area's box (and its help icon) fill a container that would clip their rings */
[data-testid="stElementContainer"]:has(> [data-testid="stTextArea"]) {{
  overflow: visible !important;
}}
/* the page scrolls what takes the focus into view with room for its ring */
[data-testid="stMain"] {{ scroll-padding-block: 1.5rem; }}
/* the data grid draws its cells on a canvas (they take focus in a hidden table): ring the
   grid's frame while it has focus (Streamlit marks the cell itself), and a cell's editor */
[data-testid="stDataFrameResizable"]:focus-within,
[id^="gdg-overlay"]:has(:focus-visible) {{ {RING} }}
[data-testid="stDataFrameResizable"] *:focus-visible {{ outline: none !important; }}
"""


def focus_style() -> None:
    """Add the focus ring's CSS to the page (call once per run, after st.set_page_config)."""
    st.html(f"<style>{FOCUS_CSS}</style>")
