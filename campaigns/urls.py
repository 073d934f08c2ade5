from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
