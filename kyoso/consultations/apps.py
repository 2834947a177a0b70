from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "kyoso.consultations"
    verbose_name = _("よろず相談")
