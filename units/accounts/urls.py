from django.urls import path

from units.accounts import views

app_name = "accounts"

urlpatterns = [
    path("locked/", views.locked_list, name="locked"),
    path("locked/unlock/", views.unlock, name="unlock"),
]
