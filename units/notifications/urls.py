from django.urls import path

from units.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read/", views.notification_read_all, name="read-all"),
    path("email/", views.email_preferences, name="email"),
]
