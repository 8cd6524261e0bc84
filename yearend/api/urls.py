from django.urls import path

from yearend.api import docs, views
from yearend.api.v1 import api

urlpatterns = [
    path("tokens/", views.tokens, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
    # Before the API's own routes: our accessible reference replaces ninja's Swagger page.
    path("v1/docs", docs.api_docs, name="api-docs"),
    path("v1/", api.urls),
]
