from django.urls import path

from campaigns.board import award_views, ranking_views, year_views

app_name = "board"

urlpatterns = [
    path("<int:period_pk>/ranking/", ranking_views.ranking, name="ranking"),
    path("<int:period_pk>/ranking.xlsx", ranking_views.ranking_export, name="export"),
    path("<int:period_pk>/awards/", award_views.award_proposals, name="awards"),
    path("<int:period_pk>/year/", year_views.year, name="year"),
]
