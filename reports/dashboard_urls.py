from django.urls import path

from reports import dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.dashboard_view, name="home"),
    path("<int:unit_id>/", dashboard_views.dashboard_view, name="scope"),
    path("<int:unit_id>/data/", dashboard_views.dashboard_sources, name="sources"),
    path(
        "<int:unit_id>/export/<slug:table>.xlsx",
        dashboard_views.dashboard_export,
        name="export",
    ),
]
