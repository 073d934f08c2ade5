from django.urls import path

from indicators.reporting import views

app_name = "reporting"

urlpatterns = [
    path("<int:period_pk>/", views.report_form, name="report"),
    path("<int:period_pk>/registration/", views.registration, name="registration"),
]
