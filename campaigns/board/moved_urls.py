"""The Board's review pages lived under /review/ before every Board page moved under /board/."""

from kontum_poverty.redirects import moved

urlpatterns = [
    moved("", "board:home"),
    moved("<int:period_pk>/", "board:queue"),
    moved("<int:period_pk>/not-reporting/", "board:not-reporting"),
    moved("submissions/<int:pk>/", "board:review"),
    moved("submissions/<int:pk>/score/", "board:score"),
    moved("submissions/<int:pk>/return/", "board:return"),
    moved("submissions/<int:pk>/accept/", "board:accept"),
]
