from django.urls import path

from units.accounts.two_factor import views

app_name = "two_factor"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("manage/", views.manage, name="manage"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("recovery-codes/new/", views.recovery_codes_new, name="recovery-codes-new"),
    path("disable/", views.disable, name="disable"),
]
