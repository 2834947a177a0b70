from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "kyoso.municipalities"
    verbose_name = _("団体")
