from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "dianti.appraisal"
    label = "appraisal"
    verbose_name = _("评议考核")
