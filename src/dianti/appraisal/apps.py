from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "dianti.appraisal"
    label = "appraisal"
    verbose_name = _("评议考核")

    def ready(self) -> None:
        from dianti.campaigns import phases
        from dianti.campaigns.models import Phase
        from dianti.meetings import services as meeting_services

        from . import importers, stats  # noqa: F401  (register job handlers and stats)
        from .guards import proposals_decided
        from .services import compute_on_close

        if compute_on_close not in meeting_services.CLOSE_HOOKS:
            meeting_services.CLOSE_HOOKS.append(compute_on_close)
        phases.guard_contribute(Phase.APPRAISAL, Phase.RECTIFICATION, proposals_decided)
