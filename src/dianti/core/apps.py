from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dianti.core"
    label = "core"
    verbose_name = _("公共")

    def ready(self) -> None:
        from . import accounts, checks, messages  # noqa: F401  (register the system checks and sign-in receivers)

        messages.install()
