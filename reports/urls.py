"""What leaders and the public read: the dashboard (/dashboard/), the public page (/public/) and
the PDF documents made by Celery jobs (/documents/; /reports/ is their old address)."""

from django.urls import include, path

from kontum_poverty.redirects import moved
from reports.views import dashboard, documents, public, texts

dashboard_patterns = (
    [
        path("", dashboard.dashboard_view, name="home"),
        path("<int:unit_id>/", dashboard.dashboard_view, name="scope"),
        path("<int:unit_id>/data/", dashboard.dashboard_sources, name="sources"),
        path("<int:unit_id>/export/<slug:table>.xlsx", dashboard.dashboard_export, name="export"),
    ],
    "dashboard",
)

document_patterns = (
    [
        path("", documents.document_list, name="list"),
        path("ask/", documents.document_ask, name="ask"),
        path("jobs/<int:pk>/", documents.job_status, name="job"),
        path("jobs/<int:pk>/download/", documents.job_download, name="download"),
        path("board/", texts.document_index, name="board-list"),
        path("board/signers/", texts.document_setup, name="setup"),
        path("board/<slug:kind>/<int:year>/", texts.document_page, name="board-document"),
        path(
            "board/<slug:kind>/<int:year>/v<int:number>/",
            texts.version_page,
            name="board-version",
        ),
    ],
    "documents",
)

urlpatterns = [
    path("dashboard/", include(dashboard_patterns)),
    path("public/", public.public_progress, name="public-progress"),
    path("documents/", include(document_patterns)),
    moved("reports/", "documents:list"),
    moved("reports/ask/", "documents:ask"),
    moved("reports/jobs/<int:pk>/", "documents:job"),
    moved("reports/jobs/<int:pk>/download/", "documents:download"),
]
