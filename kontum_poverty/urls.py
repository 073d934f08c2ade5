from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kontum_poverty import health
from reports import dashboard_views
from reports import views as reports_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("units/", include("units.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("report/", include("indicators.reporting.urls")),
    path("import/", include("indicators.urls")),
    path("review/", include("indicators.review.urls")),
    path("board/", include("campaigns.board.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("public/", dashboard_views.public_progress, name="public-progress"),
    # Un-namespaced: LOGIN_REDIRECT_URL = "home".
    path("", reports_views.home, name="home"),
    path("", include("reports.urls")),
]
