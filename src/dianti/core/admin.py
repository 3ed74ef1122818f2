"""Admin base: every admin page is restricted to the user's organization subtree, like the rest of the site."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from . import scope
from .models import AuditEvent, Job


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Show only rows inside the user's view scope; allow changes only inside their manage scope.

    ``scope_field`` names the materialized path that places a row in the tree. Models whose writes need more than a
    form save set ``read_only_admin`` and are changed through their own pages (which call the services).
    """

    scope_field = "path"
    read_only_admin = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope.restrict(super().get_queryset(request), request.user, self.scope_field)

    def _row_path(self, obj: Model) -> str:
        value: Any = obj
        for part in self.scope_field.split("__"):
            value = getattr(value, part)
        return str(value)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return scope.scope_for(request.user).is_admin

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        sc = scope.scope_for(request.user)
        return sc.is_admin and (obj is None or sc.can_view_path(self._row_path(obj)))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if self.read_only_admin:
            return False
        sc = scope.scope_for(request.user)
        return sc.is_admin and (obj is None or sc.can_manage_path(self._row_path(obj)))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not self.read_only_admin and scope.scope_for(request.user).is_admin

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        from dianti.orgs.models import Organization, Person

        if db_field.related_model is Organization:
            kwargs["queryset"] = scope.restrict(Organization.objects.all(), request.user, manage=True)
        elif db_field.related_model is Person:
            kwargs["queryset"] = scope.restrict(Person.objects.all(), request.user, "org_path", manage=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("at", "actor_name", "action", "target_repr")
    list_filter = ("action",)
    search_fields = ("target_repr", "actor_name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope.restrict(AuditEvent.objects.all(), request.user, "org_path", manage=True)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "kind", "status", "progress", "total", "created_at")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
