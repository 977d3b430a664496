"""Every Streamlit session-state key the app uses, in one place (a typo is then a NameError).

Widget keys stay beside their widgets; these are the values the app keeps between reruns.
"""

from __future__ import annotations

# The plan being edited (state.py)
PLAN = "plan"  # the canonical Plan
HISTORY = "history"  # Plans for undo and redo
POSITION = "history_position"  # index of PLAN in HISTORY
EXAMPLE = "showing_example"  # True while the untouched example is on screen
OPEN_ERROR = "open_error"  # why the plan named in the URL could not be opened
IMPORT_WARNINGS = "import_warnings"  # (heading, notes): what an import changed or the generator warns, shown once

# The task grid (grid.py)
DRAFT = "grid_draft"  # the user's rows, kept while they do not validate
PROBLEMS = "grid_problems"  # what is wrong with DRAFT
GRID_VERSION = "grid_version"  # part of the grid's widget key: a new value rebuilds the grid
GRID_DELTA = "grid_delta"  # a delta set here by a script or test is applied like a grid edit

# Values computed from a plan (derived.py)
DERIVED = "derived"  # [(plan, {name: value})] for the last plans shown
NETWORKS = "networks"  # prepared link networks, the latest few

# Schedule risk (risk_view.py)
RISK_RESULT = "risk_result"  # (plan, RiskResult, its risk drivers or None until shown) of the Risk view's last run

# Saving, opening and leaving (storage.py, save_bar.py, guard.py, plans_page.py)
SAVED = "saved"  # (plan id, revision, the Plan object that was saved or loaded)
STALE = "stale_save"  # a save refused because someone saved a newer revision
PENDING = "guard_pending"  # (plan to show, (id, revision) or None, import warnings)
GUARDED = "guard_drawn"  # True once the leave guard is on the page (it keeps the dirty flag)
NOTICE = "plans_notice"  # what the last action on Saved plans did, shown once after its rerun
TEAM_FORMS = "team_forms"  # per plan: version of the "Who works on this plan" form keys

# Pages, sign-in and share views (navigation.py, auth.py, share_page.py)
PAGES = "_pages"  # page name -> st.Page, for page links
SHARE_MODE = "share_mode"  # True on a share view: no editors, no navigation
SHARE_TOKEN = "share_token"  # the share link's token
AUTH_RETURNED = "auth_returned"  # the first signed-in run has looked for an address to return to
