from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "dianti.rectification"
    label = "rectification"
    verbose_name = _("整改")

    def ready(self) -> None:
        from dianti.voices import tracking as voice_tracking

        from . import receivers, stats  # noqa: F401  (register stats)
        from .tracking import rectification_steps

        if rectification_steps not in voice_tracking.STEP_PROVIDERS:
            voice_tracking.STEP_PROVIDERS.append(rectification_steps)
        receivers.connect()
