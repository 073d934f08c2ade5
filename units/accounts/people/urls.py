"""/accounts/people/: the Board's and the admin's account pages, and the invitation link."""

from django.urls import path

from units.accounts.people import views

app_name = "people"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.officer_create, name="create"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/deactivate/", views.account_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.account_reactivate, name="reactivate"),
    path("<int:pk>/move/", views.officer_move, name="move"),
    path("<int:pk>/invite/", views.invitation_resend, name="invite"),
    path(
        "invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation",
    ),
]
