from django.urls import path

from campaigns.board import views

app_name = "board"

urlpatterns = [
    path("<int:period_pk>/ranking/", views.ranking, name="ranking"),
    path("<int:period_pk>/ranking.xlsx", views.ranking_export, name="export"),
    path("<int:period_pk>/awards/", views.award_proposals, name="awards"),
    path("<int:period_pk>/year/", views.year, name="year"),
]
