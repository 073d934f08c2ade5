"""One prefix per audience: each app routes its own pages (see docs/ARCHITECTURE.md)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kontum_poverty import health, views
from units.accounts import views as accounts_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", include("units.accounts.two_factor.urls")),
    # Django's own password views, un-namespaced because they reverse each other by these names;
    # the templates are the portal's (templates/registration/).
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password_reset/",
        accounts_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("units.accounts.urls")),
    path("accounts/people/", include("units.accounts.people.urls")),
    path("notifications/", include("units.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Un-namespaced: LOGIN_REDIRECT_URL = "home".
    path("", views.home, name="home"),
    path("", include("campaigns.urls")),
    path("import/", include("indicators.imports.urls")),
    path("", include("reports.urls")),
    # The read-only open-data API, its schema and documentation (docs/api.md).
    path("api/", include("reports.api.urls")),
]
