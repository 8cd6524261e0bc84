from yearend.testing.oidc import openid_provider  # noqa: F401 (fixture)
