"""The team server in Chromium, signing in through a real OpenID Connect provider.

`oidc-provider-mock` runs on a loopback port in this process; the app runs under `streamlit run`
with an `[auth]` secrets file (passed by `--secrets.files`) pointing at it. Two people sign in
through the provider's own login form, each in a separate browser context (separate cookies).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from planner.store.database import Store
from tests.e2e.conftest import free_port, streamlit_app, wait_idle

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

ALICE, BOB, CAROL, MALLORY = "alice@example.org", "bob@example.org", "carol@example.org", "mallory@example.org"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        url = f"http://localhost:{server.server_port}"
        for email, name in ((ALICE, "Alice Example"), (BOB, "Bob Example"), (CAROL, "Carol Example")):
            claims = {"email": email, "email_verified": True, "name": name}
            answer = httpx.put(f"{url}/users/{quote(email)}", json=claims)
            assert answer.status_code == 204
        unverified = {"email": "alice@example.org", "email_verified": False, "name": "Mallory"}
        assert httpx.put(f"{url}/users/{quote(MALLORY)}", json=unverified).status_code == 204
        yield url


@pytest.fixture(scope="module")
def team(provider, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The app's URL and its database."""
    data = tmp_path_factory.mktemp("team")
    port = free_port()
    secrets = data / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-string-only-for-these-tests"\n'
        'client_id = "transition-planner"\n'
        'client_secret = "not-so-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    with streamlit_app(data, ["--secrets.files", str(secrets)], port=port) as url:
        yield url, f"sqlite:///{data}/planner.db"


@pytest.fixture
def person(browser):
    """A fresh browser (own cookies) per person; closed at the end of the test."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def text(page) -> str:
    """What the page says, without the invisible word joiners that stop autolinked addresses."""
    return page.inner_text("body").replace("\u2060", "")


def sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda u: u.startswith(url.split("/?")[0]))
    page.get_by_text("Signed in as").wait_for()
    wait_idle(page)


def test_two_people_one_plan_and_a_share_link(person, team):
    """Signed out sees no plan; alice saves one; bob gets "not found" until alice adds him as editor;
    then bob opens and saves it; a share link works signed out; sign-out ends access."""
    team_url, db_url = team
    visitor = person()
    visitor.goto(team_url)
    wait_idle(visitor)
    visitor.get_by_role("button", name="Sign in").wait_for()
    body = visitor.inner_text("body")
    assert "Example" not in body and "Saved plans" not in body and "Gantt" not in body

    alice = person()
    sign_in(alice, team_url, ALICE)
    assert "Signed in as Alice Example (alice@example.org)" in text(alice)
    alice.get_by_role("button", name="💾 Save").click()
    alice.get_by_text(re.compile(r"Saved as .+ r1")).wait_for()
    wait_idle(alice)
    plan_id = re.search(r"Saved as (\S+) r1", alice.inner_text("body")).group(1)
    plan_url = f"{team_url}/?plan={plan_id}"

    bob = person()
    sign_in(bob, team_url, BOB)
    bob.goto(plan_url)
    wait_idle(bob)
    bob.get_by_text(f"Plan '{plan_id}' not found").wait_for()
    bob.goto(f"{team_url}/plans")
    wait_idle(bob)
    bob.get_by_text("No saved plans you own or edit yet").wait_for()

    alice.goto(f"{team_url}/plans?plan={plan_id}")
    wait_idle(alice)
    alice.get_by_text("Owner: alice@example.org").wait_for()
    alice.get_by_label("Add an editor (e-mail address)").fill(BOB)
    alice.get_by_role("button", name="Add editor").click()
    alice.get_by_text("Editors: bob@example.org").wait_for()
    wait_idle(alice)
    alice.get_by_role("button", name="Create link").click()
    share_url = alice.locator("code").filter(has_text="?share=").inner_text().strip()

    bob.goto(plan_url)
    wait_idle(bob)
    bob.get_by_text(f"Saved as {plan_id} r1").wait_for()
    bob.get_by_role("button", name="Save as copy").wait_for()
    bob.goto(f"{team_url}/plans?plan={plan_id}")
    wait_idle(bob)
    bob.get_by_role("button", name="Rename").click()
    bob.get_by_label("New name").fill("Service desk transition (Bob's edit)")
    bob.get_by_role("button", name="Rename").last.click()
    bob.get_by_text("Renamed to Service desk transition (Bob's edit).").wait_for()
    wait_idle(bob)
    history = Store(db_url).history(plan_id)
    assert [(r.number, r.author) for r in history] == [(1, ALICE), (2, BOB)]

    visitor.goto(share_url)
    wait_idle(visitor)
    visitor.get_by_text("Executive view").wait_for()
    assert "Sign in" not in visitor.inner_text("body")
    assert visitor.get_by_test_id("stSidebar").count() == 0
    visitor.goto(team_url)
    wait_idle(visitor)
    visitor.get_by_role("button", name="Sign in").wait_for()

    bob.goto(team_url)
    wait_idle(bob)
    bob.get_by_role("button", name="Sign out").click()
    bob.wait_for_url(lambda u: not u.startswith(team_url))  # the provider's end-session page
    bob.goto(plan_url)
    wait_idle(bob)
    bob.get_by_role("button", name="Sign in").wait_for()
    assert plan_id not in bob.inner_text("body")
    sign_in(bob, plan_url, BOB)  # signing in from a plan's link comes back to that plan
    bob.get_by_text(f"Saved as {plan_id} r2").wait_for()
    assert bob.url == plan_url


def test_sign_out_ends_a_copied_session_and_an_unverified_email_is_refused(person, team, browser):
    """Tests issue 31 item 4 against the real provider: carol's cookies copied into another browser
    work until carol signs out, then that copy shows the sign-in page; an account whose provider
    says its e-mail (alice's address) is not verified gets no plan and is not alice."""
    team_url, _ = team
    carol = person()
    sign_in(carol, team_url, CAROL)
    copy = browser.new_context(viewport={"width": 1400, "height": 1200})
    try:
        copy.add_cookies(carol.context.cookies())
        thief = copy.new_page()
        thief.goto(team_url)
        wait_idle(thief)
        thief.get_by_text("Signed in as Carol Example").wait_for()
        carol.get_by_role("button", name="Sign out").click()
        carol.wait_for_url(lambda u: not u.startswith(team_url))
        thief.goto(team_url)  # the app signs the copy out: off to the provider's end-session page
        thief.wait_for_url(lambda u: not u.startswith(team_url))
        thief.goto(team_url)
        wait_idle(thief)
        thief.get_by_role("button", name="Sign in").wait_for()
        assert "Signed in as" not in text(thief)
    finally:
        copy.close()
    sign_in(carol, team_url, CAROL)  # a new sign-in after the sign-out works
    mallory = person()
    mallory.goto(team_url)
    wait_idle(mallory)
    mallory.get_by_role("button", name="Sign in").click()
    mallory.get_by_placeholder("sub").fill(MALLORY)
    mallory.get_by_role("button", name="Authorize").click()
    mallory.get_by_text("No verified e-mail address").wait_for()
    assert "alice@example.org" not in text(mallory) and "Saved plans" not in text(mallory)
