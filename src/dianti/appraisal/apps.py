from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "dianti.appraisal"
    label = "appraisal"
    verbose_name = _("评议考核")

    def ready(self) -> None:
        from dianti.campaigns import phases
        from dianti.campaigns.models import Phase
        from dianti.meetings import selectors as meeting_selectors
        from dianti.meetings import services as meeting_services

        from . import importers, stats  # noqa: F401  (register job handlers and stats)
        from .guards import proposals_decided
        from .selectors import meeting_scores
        from .services import compute_on_close

        if compute_on_close not in meeting_services.CLOSE_HOOKS:
            meeting_services.CLOSE_HOOKS.append(compute_on_close)
        # The meetings step shows the score of record, never one of its own: it asks us for it.
        if meeting_scores not in meeting_selectors.SCORE_PROVIDERS:
            meeting_selectors.SCORE_PROVIDERS.append(meeting_scores)
        phases.guard_contribute(Phase.APPRAISAL, Phase.RECTIFICATION, proposals_decided)
