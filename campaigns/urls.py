"""The campaign's pages: the officer's yearly report (/report/), a report with its history
(/campaigns/), and the Board's pages (/board/; /review/ is their old address)."""

from django.urls import include, path

from campaigns import views

submission_patterns = (
    [
        path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
        path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    ],
    "campaigns",
)

urlpatterns = [
    path("report/", include("campaigns.reporting.urls")),
    path("campaigns/", include(submission_patterns)),
    path("board/", include("campaigns.board.urls")),
    path("review/", include("campaigns.board.moved_urls")),
]
