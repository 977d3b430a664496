"""Sign-in for a team server, through Streamlit's own OpenID Connect (st.login, st.user, st.logout).

With no `[auth]` section in the secrets the app is a single-user tool and asks nobody to sign in.
With one, every page but a share view shows only the sign-in page until the identity provider has
vouched for an e-mail address. A secrets file that exists but cannot be read, or an `[auth]`
section that is incomplete, stops the app with the reason rather than opening it to everyone.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.store.access import AccessError, User, admin_entries, signed_in, vouched_address
from planner.store.schema import StoreError
from planner.ui.keys import AUTH_RETURNED
from planner.ui.text import md

LOCAL_AUTHOR = "local user"  # who saves from the single-user app
REQUIRED = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "server_metadata_url")
KNOWN = {"microsoft": "Microsoft", "google": "Google", "keycloak": "Keycloak", "okta": "Okta", "auth0": "Auth0"}


# Static scripts (no plan data). Streamlit returns every sign-in to the app's root, so the sign-in
# page remembers the address that was asked for (this tab only) and the first signed-in run goes
# back to it: a link to a plan still opens that plan after signing in. Same-origin paths only.
_REMEMBER = """<script>
try {
  const w = window.parent, here = w.location.pathname + w.location.search;
  if (here.startsWith("/") && !here.startsWith("//")) w.sessionStorage.setItem("planner-after-sign-in", here);
} catch (e) {}
</script>"""
_RETURN = """<script>
try {
  // Run in the app window's own realm: this frame is sandboxed and may not navigate the page itself.
  new window.parent.Function(
    "const to = sessionStorage.getItem('planner-after-sign-in');" +
    "sessionStorage.removeItem('planner-after-sign-in');" +
    "if (to && to.startsWith('/') && !to.startsWith('//') && to !== location.pathname + location.search) {" +
    "  setTimeout(function () { location.replace(to); }, 0);" +
    "}"
  )();
} catch (e) {}
</script>"""
RETURNED = AUTH_RETURNED


class SignInMisconfigured(Exception):
    """The secrets name sign-in but cannot be used as they are; the message says what to fix."""


def _section() -> dict[str, Any] | None:
    """The `[auth]` secrets section; None when there are no secrets at all (the single-user app)."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:
        return None
    except Exception as exc:  # a secrets file that does not parse
        raise SignInMisconfigured(f"the secrets file could not be read: {exc}") from None
    if section is None:
        return None
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def providers() -> list[str | None]:
    """The identity providers to offer: None for the `[auth]` section's own, else each named one."""
    section = _section()
    if section is None:
        return []
    missing = [key for key in REQUIRED if not section.get(key)]
    if missing:
        raise SignInMisconfigured(f"[auth] in the secrets has no {' or '.join(missing)}")
    named = [k for k, v in section.items() if isinstance(v, dict) and any(p in v for p in PROVIDER_KEYS)]
    found: list[str | None] = [None] if any(p in section for p in PROVIDER_KEYS) else []
    found += sorted(named)
    if not found:
        raise SignInMisconfigured("[auth] in the secrets names no identity provider (client_id, server_metadata_url)")
    return found


def team_mode() -> bool:
    """Whether sign-in is configured (a team server) rather than the single-user app."""
    try:
        return bool(providers())
    except SignInMisconfigured:
        return True


def user() -> User | None:
    """The signed-in user, or None in the single-user app (and before sign-in)."""
    if not team_mode() or not st.user.get("is_logged_in"):
        return None
    try:
        return signed_in(_address(), str(st.user.get("name") or ""))
    except AccessError:
        return None


def author() -> str:
    """Who a revision or a link is recorded as made by: the signed-in address, else "local user"."""
    who = user()
    return who.email if who else LOCAL_AUTHOR


def _claims() -> dict[str, Any]:
    return st.user.to_dict() if hasattr(st.user, "to_dict") else dict(st.user)


def _address() -> str:
    """The e-mail address the provider vouched for (`access.vouched_address`): a verified `email`,
    or the sign-in name of a provider named in PLANNER_USERNAME_PROVIDERS (Microsoft Entra)."""
    return vouched_address(_claims()) or ""


def _session_ended() -> bool:
    """Whether this browser's sign-in predates the person's last sign-out (a copied cookie)."""
    issued = st.user.get("iat")
    who = user()
    if who is None or not isinstance(issued, int | float):
        return False
    try:
        from planner.ui.storage import open_store

        return open_store().sign_outs.ended(who.email, float(issued))
    except StoreError:
        return False


def sign_out() -> None:
    """Records the sign-out on the server, so every session signed in before it ends, then signs
    this browser out."""
    who = user()
    if who is not None:
        try:
            from planner.ui.storage import open_store

            open_store().sign_outs.record(who.email)
        except StoreError:
            pass  # the browser is still signed out; the server could not note it
    st.logout()


def gate() -> bool:
    """True when the page may be shown; otherwise shows the sign-in page (or why sign-in cannot work)."""
    try:
        offered = providers()
    except SignInMisconfigured as exc:
        st.title("Sign-in is not set up correctly")
        st.error(md(f"The app cannot start: {exc}. An administrator must correct the secrets file."), icon="🔒")
        return False
    if not offered:
        return True
    if st.user.get("is_logged_in"):
        if _session_ended():
            st.logout()
            return False
        if user() is not None:
            if not st.session_state.get(RETURNED):
                st.session_state[RETURNED] = True
                st.iframe(_RETURN, height=1)
            return True
        st.title("No verified e-mail address")
        st.warning(
            "Your identity provider signed you in but did not vouch for an e-mail address (a verified email "
            "claim, or for Microsoft Entra the sign-in name once PLANNER_USERNAME_PROVIDERS names it), and plans "
            "are shared by e-mail address. Ask your administrator.",
            icon="✉️",
        )
        st.button("Sign out", key="auth-sign-out", on_click=st.logout)
        return False
    _sign_in_page(offered)
    return False


def _sign_in_page(offered: list[str | None]) -> None:
    st.title("Transition planner")
    st.write("Sign in with your organisation account to see and edit your team's transition plans.")
    for name in offered:
        label = "Sign in" if name is None else f"Sign in with {KNOWN.get(name, name.title())}"
        st.button(label, key=f"auth-sign-in-{name or 'default'}", type="primary", on_click=st.login, args=(name,))
    st.caption("Stakeholders who were sent a share link open it directly; it needs no account.")
    st.iframe(_REMEMBER, height=1)


def sidebar() -> None:
    """Who is signed in, and a way out (team server only)."""
    who = user()
    if who is None:
        return
    with st.sidebar:
        st.caption(md(f"Signed in as {who.label}" + (" · administrator" if who.admin else "")))
        if who.admin:
            for refused in admin_entries()[1]:
                st.warning(md(f"Ignored in {refused}"), icon="⚠️")
        st.button("Sign out", key="auth-sign-out", on_click=sign_out)
