from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "dianti.meetings"
    label = "meetings"
    verbose_name = _("述职会")

    def ready(self) -> None:
        from . import stats  # noqa: F401  (register stats)
