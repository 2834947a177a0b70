from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("<slug:slug>/", views.survey_reports, name="survey"),
    path("<slug:slug>/summary/", views.summary_report, name="summary"),
    path("<slug:slug>/summary.<str:fmt>", views.summary_report_file, name="summary_file"),
    path("<slug:slug>/batches/", views.batch_create, name="batch_create"),
    path("<slug:slug>/batches/<int:pk>.zip", views.batch_download, name="batch_download"),
    path("<slug:slug>/settings/", views.settings_update, name="settings"),
    path("<slug:slug>/<str:code>/", views.municipality_report, name="municipality"),
    path("<slug:slug>/<str:code>/report.<str:fmt>", views.municipality_report_file, name="file"),
]
