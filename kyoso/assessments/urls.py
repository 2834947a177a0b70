from django.urls import path

from .views import answer, manage, results, surveys

app_name = "assessments"
urlpatterns = [
    path("", surveys.survey_list, name="list"),
    path("kpi/", manage.kpi_targets, name="kpi"),
    path("<slug:slug>/", surveys.survey_detail, name="survey"),
    path("<slug:slug>/state/", surveys.survey_state, name="state"),
    path("<slug:slug>/non-submitters.<str:fmt>", surveys.non_submitters, name="non_submitters"),
    path("<slug:slug>/answer/", answer.answer_start, name="answer"),
    path(
        "<slug:slug>/answer/<str:code>/page/<int:number>/", answer.answer_page, name="answer_page"
    ),
    path(
        "<slug:slug>/answer/<str:code>/carry-over/",
        answer.answer_carry_over,
        name="answer_carry_over",
    ),
    path("<slug:slug>/answer/<str:code>/review/", answer.answer_review, name="answer_review"),
    path("<slug:slug>/results/<str:code>/", results.municipality_results, name="results"),
    path("<slug:slug>/analysis/", results.analysis_dashboard, name="analysis"),
    path("<slug:slug>/heatmap/", results.heat_map, name="heatmap"),
    path("<slug:slug>/responses/<str:code>/", manage.response_detail, name="response"),
    path("<slug:slug>/responses/<str:code>/return/", manage.response_return, name="return"),
    path("<slug:slug>/responses/<str:code>/level/", manage.response_level, name="level"),
    path("<slug:slug>/import/", manage.answer_import, name="import"),
    path("<slug:slug>/import/<int:pk>/", manage.answer_import_confirm, name="import_confirm"),
    path("<slug:slug>/rules/", manage.level_rules, name="rules"),
]
