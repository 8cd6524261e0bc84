from django.urls import path

from yearend.api import views
from yearend.api.v1 import api

urlpatterns = [
    path("tokens/", views.tokens, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
    path("v1/", api.urls),
]
