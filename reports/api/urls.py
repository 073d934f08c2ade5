"""/api/v1/ (the endpoints), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI, own files)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from reports.api import views

v1 = (
    [
        path("campaigns/", views.CampaignList.as_view(), name="campaigns"),
        path("targets/", views.TargetList.as_view(), name="targets"),
        path("figures/", views.FigureList.as_view(), name="figures"),
        path("commune-statistics/", views.CommuneStatisticsList.as_view(), name="communes"),
        path("units/", views.UnitList.as_view(), name="units"),
        path("submissions/", views.SubmissionList.as_view(), name="submissions"),
        path("reviews/", views.ReviewList.as_view(), name="reviews"),
        path("scores/", views.ScoreList.as_view(), name="scores"),
        path("evidence/", views.EvidenceList.as_view(), name="evidence"),
        path("rankings/", views.RankingList.as_view(), name="rankings"),
        path("awards/", views.AwardList.as_view(), name="awards"),
        path("users/", views.AccountList.as_view(), name="users"),
    ],
    "api",
)

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
