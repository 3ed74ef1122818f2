from django.contrib import admin

from dianti.core.admin import ScopedAdmin

from .models import Campaign, HeatScheme, Project, ResponsibilityItem, Subject


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("title", "year", "convener", "phase", "list_status")
    list_filter = ("year", "phase", "list_status")
    search_fields = ("title",)


@admin.register(Subject)
class SubjectAdmin(ScopedAdmin):
    scope_field = "campaign__org_path"
    read_only_admin = True
    list_display = ("organization", "secretary_name", "campaign", "category", "status")
    list_filter = ("category", "status", "campaign__year")
    list_select_related = ("organization", "campaign")


@admin.register(ResponsibilityItem)
class ResponsibilityItemAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("title", "organization", "year")
    list_filter = ("year",)


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("title", "kind", "organization", "year")
    list_filter = ("kind", "year")


@admin.register(HeatScheme)
class HeatSchemeAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("organization", "weights", "updated_at")
