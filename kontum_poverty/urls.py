"""One prefix per audience: each app routes its own pages (see docs/ARCHITECTURE.md)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kontum_poverty import health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/people/", include("units.accounts.people.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Un-namespaced: LOGIN_REDIRECT_URL = "home".
    path("", views.home, name="home"),
    path("", include("campaigns.urls")),
    path("import/", include("indicators.imports.urls")),
    path("", include("reports.urls")),
]
