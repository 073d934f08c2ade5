from django.urls import path

from campaigns.board.views import (
    awards,
    figures,
    history,
    indicator_help,
    queue,
    ranking,
    review,
    roadmap,
    year,
)

app_name = "board"

urlpatterns = [
    path("", queue.queue_current, name="home"),
    path("<int:period_pk>/queue/", queue.queue, name="queue"),
    path("<int:period_pk>/queue/not-reporting/", queue.not_reporting, name="not-reporting"),
    path("submissions/<int:pk>/", review.detail, name="review"),
    path("submissions/<int:pk>/score/", review.score, name="score"),
    path("submissions/<int:pk>/return/", review.return_report, name="return"),
    path("submissions/<int:pk>/accept/", review.accept, name="accept"),
    path("<int:period_pk>/ranking/", ranking.ranking, name="ranking"),
    path("<int:period_pk>/ranking.xlsx", ranking.ranking_export, name="export"),
    path("<int:period_pk>/awards/", awards.award_proposals, name="awards"),
    path("<int:period_pk>/year/", year.year, name="year"),
    path("<int:period_pk>/coverage/", figures.coverage, name="coverage"),
    path("<int:period_pk>/roadmap/", roadmap.roadmap, name="roadmap"),
    path("history/", history.changes, name="history"),
    path("help/", indicator_help.indicator_help, name="help"),
]
