"""Admin base: every admin page is restricted to the user's organization subtree, like the rest of the site."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse

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

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        """Filter a list by its declared filters only (``list_filter``, ``date_hierarchy``; the search box is apart).

        Django answers any lookup on a column of the model itself (``?author_key__startswith=…``), shown or not: one
        prefix at a time that reads a column the admin never shows, and rows can then be linked through it (an
        anonymous opinion to the same person's named ones, a hall question to the same device's)."""
        declared = {self.date_hierarchy} if self.date_hierarchy else set()
        for f in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(f, str):
                declared.add(f)
            elif isinstance(f, (list, tuple)):
                declared.add(f[0])
            else:
                declared.add(getattr(f, "parameter_name", ""))
        if not any(lookup == f or lookup.startswith(f + LOOKUP_SEP) for f in declared if f):
            return False
        return super().lookup_allowed(lookup, value, request)

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

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # The service refused the write (its transaction rolled back): show the form again with its reasons,
            # as a form error rather than a server error.
            request._service_error = exc  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        error: ValidationError | None = getattr(request, "_service_error", None)

        class ScopedForm(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                # Keep the object's current parent / secretary selectable even when it lies outside the user's
                # manage scope (a town admin's own town sits under the county); other out-of-scope choices stay
                # refused.
                for name, field in self.fields.items():
                    current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
                    if current is not None and hasattr(field, "queryset"):
                        field.queryset = field.queryset | field.queryset.model.objects.filter(pk=current)

            def clean(self) -> Any:
                cleaned = super().clean()
                if error is not None and hasattr(error, "error_dict"):
                    for name, errors in error.error_dict.items():
                        self.add_error(name if name in self.fields else NON_FIELD_ERRORS, errors)
                elif error is not None:
                    self.add_error(None, error)
                return cleaned

        return ScopedForm

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # A choice of organization, person or any row placed in the tree offers only what the user manages.
        related = db_field.related_model
        placed = {f.name for f in related._meta.get_fields()} & {"path", "org_path"}
        if placed:
            field = "path" if "path" in placed else "org_path"
            kwargs["queryset"] = scope.restrict(related._default_manager.all(), request.user, field, manage=True)
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


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Rows shown beside their parent, never edited there: the step's services are the one write path."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
