from django.urls import path

from indicators.review import views

app_name = "review"

urlpatterns = [
    path("", views.queue_current, name="home"),
    path("<int:period_pk>/", views.queue, name="queue"),
    path("<int:period_pk>/not-reporting/", views.not_reporting, name="not-reporting"),
    path("submissions/<int:pk>/", views.detail, name="detail"),
    path("submissions/<int:pk>/score/", views.score, name="score"),
    path("submissions/<int:pk>/return/", views.return_report, name="return"),
    path("submissions/<int:pk>/accept/", views.accept, name="accept"),
]
