"""Read-only admin for 群众点题: opinions and topics, for looking up, never for editing (the queue and the workbench
call the services). An opinion carries its author's name and phone: the admin shows them masked (张*, 138****5678)
and searches neither, so it reveals no more than the staff pages do; the device and address hashes of opinions and
"+1"s are not shown at all (``Support`` is not registered).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dianti.core.admin import ScopedAdmin
from dianti.orgs.models import mask_phone

from .models import Opinion, Topic


def mask_name(name: str) -> str:
    """Return the name with all but its first character hidden (张**)."""
    return f"{name[:1]}{'*' * (len(name) - 1)}" if name else ""


@admin.register(Opinion)
class OpinionAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("tracking_code", "organization", "channel", "status", "category", "supports", "author",
                    "created_at")
    list_filter = ("status", "channel", "anonymous")
    search_fields = ("tracking_code", "title", "text")
    list_select_related = ("organization",)
    fields = ("tracking_code", "organization", "channel", "point", "title", "text", "author", "phone", "anonymous",
              "people_met", "status", "hidden_reason", "duplicate_of", "topic", "category", "supports", "created_at")
    readonly_fields = fields

    @admin.display(description=_("姓名"))
    def author(self, obj: Opinion) -> str:
        return "" if obj.anonymous else mask_name(obj.author_name)

    @admin.display(description=_("手机号"))
    def phone(self, obj: Opinion) -> str:
        return "" if obj.anonymous else mask_phone(obj.author_phone or "")


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("title", "organization", "campaign", "category", "size", "people", "supports", "curated")
    list_filter = ("curated", "category")
    search_fields = ("title",)
    list_select_related = ("organization", "campaign")
    fields = ("title", "organization", "campaign", "category", "keywords", "size", "people", "supports", "channels",
              "curated", "first_at", "last_at")
    readonly_fields = fields
