from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dianti.core"
    label = "core"
    verbose_name = _("公共")

    def ready(self) -> None:
        from . import checks, messages  # noqa: F401  (checks: register the system checks)

        messages.install()
