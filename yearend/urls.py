from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from yearend.portal.auth import ThrottledLoginView
from yearend.portal.sso import DistrictSignInCallback, DistrictSignInStart

admin.site.site_header = "Year-End Reset operations"
admin.site.site_title = "Year-End Reset"

urlpatterns = [
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/sso/", DistrictSignInStart.as_view(), name="sso-start"),
    path("login/sso/callback/", DistrictSignInCallback.as_view(), name="sso-callback"),
    # One sign-in page, throttled: the admin's own login form would bypass the throttle.
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", include("yearend.api.urls")),
    path("vendor/", include("yearend.portal.vendor.urls")),
    path("", include("yearend.health.urls")),
    path("", include("yearend.portal.urls")),
]
