"""Why a sign-in with a district account was refused, in words for the person signing in."""

from yearend.errors import Forbidden


class SsoRefused(Forbidden):
    code = "sso_refused"
