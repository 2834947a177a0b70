from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kyoso.activities"
    verbose_name = _("研修・派遣")
