from django.urls import path

from indicators.imports import views

app_name = "indicators"

urlpatterns = [
    path("", views.import_upload, name="import-upload"),
    path("district/", views.district_figures, name="district-figures"),
    path("district/template/", views.district_template, name="district-template"),
    path("district/confirm/", views.district_confirm, name="district-confirm"),
    path("template/", views.import_template, name="import-template"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("<int:pk>/file/", views.import_file, name="import-file"),
    path("export/<int:year>.<str:fmt>", views.statistics_export, name="statistics-export"),
]
