from django.urls import path

from campaigns.board.views import (
    appraisal,
    awards,
    figures,
    follow_up,
    groups,
    history,
    indicator_help,
    queue,
    ranking,
    register,
    review,
    roadmap,
    successor,
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
    path("<int:period_pk>/awards/register/", register.award_register, name="award-register"),
    path("units/<int:unit_pk>/awards/", register.unit_awards, name="unit-awards"),
    path("campaigns/<int:campaign_pk>/successor/", successor.start, name="successor"),
    path("<int:period_pk>/year/", year.year, name="year"),
    path("<int:period_pk>/coverage/", figures.coverage, name="coverage"),
    path("<int:period_pk>/groups/", groups.groups, name="groups"),
    path("<int:period_pk>/roadmap/", roadmap.roadmap, name="roadmap"),
    path("history/", history.changes, name="history"),
    path("appraisal/", appraisal.appraisal_current, name="appraisal-home"),
    path("<int:period_pk>/appraisal/", appraisal.appraisal_list, name="appraisals"),
    path("appraisal/reports/<int:pk>/", appraisal.appraise_report, name="appraise-report"),
    path(
        "<int:period_pk>/appraisal/statistics/<int:district_pk>/",
        appraisal.appraise_statistics,
        name="appraise-statistics",
    ),
    path("<int:period_pk>/follow-up/", follow_up.follow_up, name="follow-up"),
    path("<int:period_pk>/follow-up/remind/", follow_up.remind, name="remind"),
    path("<int:period_pk>/follow-up/decide/", follow_up.decide, name="extension-decide"),
    path("help/", indicator_help.indicator_help, name="help"),
]
