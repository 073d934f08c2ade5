from django.urls import path

from campaigns.reporting import views

app_name = "report"

urlpatterns = [
    path("<int:period_pk>/", views.report_form, name="form"),
    path("<int:period_pk>/draft/", views.report_autosave, name="autosave"),
    path("<int:period_pk>/registration/", views.registration, name="registration"),
    path("<int:period_pk>/extension/", views.extension, name="extension"),
]
