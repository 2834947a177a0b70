"""Root URL configuration. Every pattern here must have an entry in access_table.py."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("kyoso.core.urls")),
    path("accounts/", include("kyoso.accounts.urls")),
    path("municipalities/", include("kyoso.municipalities.urls")),
    path("surveys/", include("kyoso.assessments.urls")),
    path("consultations/", include("kyoso.consultations.urls")),
    path("activities/", include("kyoso.activities.urls")),
    path("reports/", include("kyoso.reports.urls")),
    path("knowledge/", include("kyoso.knowledge.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
