"""Read-only admin for 述职会: the meetings, their agenda and evaluator groups, and the hall's questions; every change
goes through the console pages, which call the services.

The secret ballot (docs/ballot-secrecy.md) decides what is *not* here. ``Ballot``, ``EvaluatorCode`` and
``PaperEntry`` are not registered: a list of ballots, even without names, offers their order, ids and comments row by
row, and codes carry the device binding while the vote is open — the admin would be a second door to what the
platform keeps unlinkable, and the results pages already show all that may be shown. ``Attendance`` and
``QuestionVote`` are left out too (names and device hashes of the hall); a question is listed without its device.
"""

from __future__ import annotations

from django.contrib import admin

from dianti.core.admin import ReadOnlyInline, ScopedAdmin

from .models import AgendaItem, Meeting, PanelGroup, Question


class AgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ("order", "subject", "minutes", "reported", "report_uploaded_at")


class GroupInline(ReadOnlyInline):
    model = PanelGroup
    fields = ("order", "name", "size")


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    scope_field = "org_path"
    read_only_admin = True
    list_display = ("title", "campaign", "starts_at", "venue", "status")
    list_filter = ("status", "campaign__year")
    search_fields = ("title", "venue")
    list_select_related = ("campaign",)
    fields = ("title", "campaign", "starts_at", "venue", "host", "status", "grades", "items", "allow_revise",
              "opened_at", "closed_at")
    readonly_fields = fields
    inlines = [AgendaInline, GroupInline]


@admin.register(Question)
class QuestionAdmin(ScopedAdmin):
    scope_field = "meeting__org_path"
    read_only_admin = True
    list_display = ("text", "meeting", "status", "pinned", "votes")
    list_filter = ("status",)
    search_fields = ("text",)
    list_select_related = ("meeting",)
    fields = ("meeting", "item", "text", "asker", "status", "pinned", "votes", "answer")
    readonly_fields = fields
