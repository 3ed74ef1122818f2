from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from dianti.core.admin import ScopedAdmin

from .models import ActionProposal, AnnualAssessment, ScoringScheme, SubjectResult


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Schemes are edited on their own page (each save a new version); the admin only lists them."""

    list_display = ("name", "key", "version", "organization", "created_at")
    list_filter = ("key",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SubjectResult)
class SubjectResultAdmin(ScopedAdmin):
    scope_field = "subject__campaign__org_path"
    read_only_admin = True
    list_display = ("subject", "score", "satisfaction", "ballots", "invalid", "status", "scheme")
    list_filter = ("status", "subject__campaign__year")
    list_select_related = ("subject", "subject__organization", "scheme")


@admin.register(ActionProposal)
class ActionProposalAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("subject", "action", "status", "uncertain", "decided_at")
    list_filter = ("action", "status", "campaign__year")
    list_select_related = ("subject", "subject__organization")


@admin.register(AnnualAssessment)
class AnnualAssessmentAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("organization", "year", "total", "band", "stars", "rank", "peer_rank")
    list_filter = ("year", "band", "stars")
    list_select_related = ("organization",)
