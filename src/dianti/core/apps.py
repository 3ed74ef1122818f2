from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dianti.core"
    label = "core"
    verbose_name = _("公共")

    def ready(self) -> None:
        from . import accounts, checks, components, exports, messages  # noqa: F401  (checks, sign-in receivers, job kinds)

        messages.install()
        components.discover()  # every app's component.py: the steps of the cycle (core/components.py)
        post_migrate.connect(_create_cache_table, sender=self)


def _create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """Create the database cache's table (the shared rate-limit counters) on every ``migrate``; a no-op when it
    exists or when the cache is Redis. Done here rather than in a migration so it follows the CACHES setting."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
