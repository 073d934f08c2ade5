from django.urls import path

from reports import job_views

# The home page is routed in kontum_poverty/urls.py as plain "home" (LOGIN_REDIRECT_URL uses it).
app_name = "reports"

urlpatterns = [
    path("reports/", job_views.report_list, name="list"),
    path("reports/ask/", job_views.report_ask, name="ask"),
    path("reports/jobs/<int:pk>/", job_views.job_status, name="job"),
    path("reports/jobs/<int:pk>/download/", job_views.job_download, name="download"),
]
