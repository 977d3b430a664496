"""AppTest flows of the team server: sign-in page, owners and editors, share views without an account.

AppTest seeds `st.user` (the identity provider's answer); the browser tests in
tests/e2e/test_signin_browser.py sign in through a real OpenID Connect provider.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from planner.generate.build import build_plan
from planner.store.database import Store, default_url
from planner.ui import storage
from tests.conftest import APP, MONDAY, shown

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-secret-for-the-tests",
    "client_id": "planner",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ALICE = {"is_logged_in": True, "email": "alice@example.org", "email_verified": True, "name": "Alice Example"}
BOB = {"is_logged_in": True, "email": "bob@example.org", "email_verified": True, "name": "Bob"}


def team_app(user: dict, page: str | None = None, auth: dict | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH if auth is None else auth
    at.user = user
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def field(at: AppTest, label: str):
    """A text field by the start of its label (the team fields' keys change after every change)."""
    return next(t for t in at.text_input if t.label.startswith(label))


def texts(at: AppTest) -> str:
    parts = [*at.title, *at.markdown, *at.caption, *at.text, *at.warning, *at.error, *at.info, *at.success]
    return shown(" ".join(str(p.value) for p in parts))


def test_signed_out_visitor_sees_the_sign_in_page_and_no_plan():
    """Tests that a visitor who has not signed in gets a sign-in button and nothing of any plan,
    on every page and for a plan named in the URL."""
    plan_id, _ = Store(default_url()).save(build_plan("service-desk", waves=1, start=MONDAY), user=None)
    for page, query in ((None, {}), ("planner/ui/pages/plans.py", {}), (None, {"plan": plan_id})):
        at = team_app({"is_logged_in": False}, page, **query)
        assert [b.label for b in at.button] == ["Sign in"]
        assert "Sign in with your organisation account" in texts(at)
        assert not at.dataframe and not at.selectbox and "Example" not in texts(at) and plan_id not in texts(at)
        assert not at.sidebar.button


def test_named_providers_get_one_button_each():
    """Tests that [auth.microsoft] and [auth.google] sections give a button per provider."""
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x" * 32, "microsoft": provider, "google": provider}
    at = team_app({"is_logged_in": False}, auth=auth)
    assert [b.label for b in at.button] == ["Sign in with Google", "Sign in with Microsoft"]


def test_incomplete_sign_in_settings_stop_the_app_instead_of_opening_it():
    """Tests that an [auth] section without a cookie secret shows what to fix and no plan."""
    at = team_app({"is_logged_in": True, "email": "alice@example.org"}, auth={**AUTH, "cookie_secret": ""})
    assert "Sign-in is not set up correctly" in texts(at) and "cookie_secret" in texts(at)
    assert not at.dataframe and not at.button


def test_signed_in_user_sees_name_and_sign_out_and_owns_what_they_save():
    """Tests the signed-in app: who is signed in, Sign out in the sidebar, and a saved plan owned by
    the user with the user's address on its revision."""
    at = team_app(ALICE)
    assert "Signed in as Alice Example (alice@example.org)" in shown(" ".join(c.value for c in at.sidebar.caption))
    assert at.sidebar.button(key="auth-sign-out").label == "Sign out"
    at.button(key="save-plan").click().run()
    plan_id = at.session_state[storage.SAVED][0]
    store = Store(default_url())
    assert store.teams.of_plan(plan_id).owner == "alice@example.org"
    assert store.history(plan_id)[-1].author == "alice@example.org"


def test_someone_elses_plan_is_not_found_until_they_are_made_editor():
    """Tests bob against alice's plan: not in his list, "not found" at its URL; once alice adds him
    on the Saved plans page he sees it, opens it and saves it as himself."""
    store = Store(default_url())
    at = team_app(ALICE)
    at.button(key="save-plan").click().run()
    plan_id = at.session_state[storage.SAVED][0]

    bob = team_app(BOB, plan=plan_id)
    assert f"Plan '{plan_id}' not found" in texts(bob)
    assert bob.title[0].value.startswith("Example")
    listing = team_app(BOB, "planner/ui/pages/plans.py")
    assert "No saved plans you own or edit yet" in texts(listing)

    owner_page = team_app(ALICE, "planner/ui/pages/plans.py")
    owner_page.selectbox(key="plans-pick").set_value(plan_id).run()
    assert "Owner: alice@example.org" in texts(owner_page) and "Editors: none yet" in texts(owner_page)
    field(owner_page, "Add an editor").input("not an address")
    owner_page.button(key="team-add").click().run()
    assert "editor: 'not an address' is not an e-mail address" in texts(owner_page)
    field(owner_page, "Add an editor").input("Bob@Example.org")
    owner_page.button(key="team-add").click().run()
    assert "Editors: bob@example.org" in texts(owner_page)
    assert "bob@example.org can now open and edit this plan." in texts(owner_page)
    assert field(owner_page, "Add an editor").value == ""

    bob = team_app(BOB, plan=plan_id)
    assert bob.session_state[storage.SAVED][0] == plan_id
    bob.session_state["grid_delta"] = {"edited_rows": {0: {"duration": 12}}}
    bob.run()
    bob.button(key="save-plan").click().run()
    assert store.history(plan_id)[-1].author == "bob@example.org"
    editor_page = team_app(BOB, "planner/ui/pages/plans.py")
    assert "Only the owner or an administrator adds or removes editors." in texts(editor_page)
    assert not [b for b in editor_page.button if b.key == "team-remove"]


def test_administrator_sees_plans_saved_before_sign_in(monkeypatch):
    """Tests PLANNER_ADMINS: an administrator lists a plan that has no owner and can hand it over."""
    monkeypatch.setenv("PLANNER_ADMINS", "root@example.org")
    store = Store(default_url())
    plan_id, _ = store.save(build_plan("vendor-exit", waves=0, start=MONDAY), author="local user")
    root = {"is_logged_in": True, "email": "root@example.org", "email_verified": True, "name": "Root"}
    at = team_app(root, "planner/ui/pages/plans.py")
    assert "administrator" in shown(" ".join(c.value for c in at.sidebar.caption))
    at.selectbox(key="plans-pick").set_value(plan_id).run()
    assert "Owner: the administrators (saved before sign-in)" in texts(at)
    field(at, "Hand over to a new owner").input("alice@example.org")
    at.button(key="team-owner").click().run()
    assert store.teams.of_plan(plan_id).owner == "alice@example.org"
    assert plan_id in [p.id for p in store.plans(team_user("alice@example.org"))]


def team_user(email: str):
    from planner.store.access import User

    return User(email)


@pytest.mark.parametrize("user", [{"is_logged_in": False}, ALICE])
def test_share_view_needs_no_account_and_offers_no_way_in(user):
    """Tests that a share link opens its plan read-only whether or not the visitor is signed in,
    with no sign-in page, no navigation and no sidebar controls."""
    store = Store(default_url())
    plan_id, _ = store.save(build_plan("service-desk", waves=1, start=MONDAY), user=team_user("carol@example.org"))
    token = store.share_links.share(plan_id, "executive", author="carol@example.org")
    at = team_app(user, share=token)
    assert "Executive view" in texts(at) and "Sign in" not in texts(at)
    assert not at.button and not at.sidebar.button and not at.sidebar.caption


def test_only_a_vouched_address_signs_in(monkeypatch):
    """Tests issue 31 item 4: an `email` claim counts only when `email_verified` is true; Entra's
    `preferred_username` only from a provider named in PLANNER_USERNAME_PROVIDERS."""
    unverified = {"is_logged_in": True, "email": "alice@example.org", "email_verified": False, "name": "Mallory"}
    at = team_app(unverified)
    assert "No verified e-mail address" in texts(at) and not at.get("data_editor")
    entra = {"is_logged_in": True, "preferred_username": "carol@example.org", "provider": "microsoft", "name": "C"}
    monkeypatch.delenv("PLANNER_USERNAME_PROVIDERS", raising=False)
    assert "No verified e-mail address" in texts(team_app(entra))
    monkeypatch.setenv("PLANNER_USERNAME_PROVIDERS", "microsoft")
    at = team_app(entra)
    assert "Signed in as C (carol@example.org)" in shown(" ".join(c.value for c in at.sidebar.caption))
    other = {**entra, "provider": "google"}
    assert "No verified e-mail address" in texts(team_app(other))


def test_a_look_alike_of_an_administrators_address_is_no_administrator(monkeypatch):
    """Tests issue 31 item 4: with admin@example.org an administrator, a verified address spelt with
    a KELVIN SIGN for its k (which lower() folds to "k") does not sign in, let alone as administrator;
    PLANNER_ADMINS takes the separators people type and names what it refused."""
    from planner.store.access import admin_entries

    monkeypatch.setenv("PLANNER_ADMINS", "admin@example.org; ops@example.org\nbad@")
    found, refused = admin_entries()
    assert found == {"admin@example.org", "ops@example.org"} and refused == (
        "PLANNER_ADMINS: 'bad@' is not an e-mail address (name@example.org)",
    )
    kelvin = {"is_logged_in": True, "email": "adm\u212ain@example.org", "email_verified": True}
    at = team_app(kelvin)
    assert "No verified e-mail address" in texts(at) and not at.get("data_editor")
    admin = team_app({"is_logged_in": True, "email": "Admin@Example.org", "email_verified": True, "name": "A"})
    side = shown(" ".join(c.value for c in admin.sidebar.caption))
    assert "administrator" in side
    assert "Ignored in PLANNER_ADMINS: 'bad@' is not an e-mail address" in shown(
        " ".join(w.value for w in admin.sidebar.warning)
    )
