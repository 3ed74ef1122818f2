"""Read-only admin for 整改: every change goes through the case pages, which call the services."""

from django.contrib import admin

from dianti.core.admin import ReadOnlyInline, ScopedAdmin

from .models import Case, CaseEvent, Measure, SupervisionReport


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "kind", "from_state", "to_state", "actor_name", "note")


class MeasureInline(ReadOnlyInline):
    model = Measure
    fields = ("problem", "text", "owner", "deadline", "percent", "escalation")


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("number", "subject", "issuer", "state", "deadline", "escalation")
    list_filter = ("state", "campaign__year", "escalation")
    search_fields = ("number", "subject__organization__name")
    list_select_related = ("subject", "subject__organization", "issuer")
    inlines = [MeasureInline, EventInline]


@admin.register(SupervisionReport)
class SupervisionReportAdmin(ScopedAdmin):
    scope_field = "case__org_path"
    read_only_admin = True
    list_display = ("case", "visited_on", "rating", "author_name", "point")
    list_filter = ("rating",)
