"""Django admin for organizations and people, scoped like every other page and writing through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dianti.core import crypto, scope
from dianti.core.admin import ScopedAdmin

from . import services
from .models import ContactPoint, Membership, Organization, Person, RoleGrant


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    scope_field = "path"
    list_display = ("name", "code", "kind", "level", "field", "secretary")
    list_filter = ("level", "kind", "field")
    search_fields = ("name", "short_name", "code")
    autocomplete_fields = ("parent", "secretary")
    list_select_related = ("secretary",)
    fields = ("code", "name", "short_name", "kind", "level", "field", "parent", "secretary", "is_active")

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.ORG_FIELDS}
        if change:
            services.org_update(actor=request.user, org=Organization.objects.get(pk=obj.pk), **data)
        else:
            data.pop("code", None)
            data.pop("name", None)
            data.pop("parent", None)
            created = services.org_create(actor=request.user, code=obj.code, name=obj.name, parent=obj.parent, **data)
            obj.pk, obj.path = created.pk, created.path


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    scope_field = "org_path"
    list_display = ("name", "gender", "is_party_member", "organization")
    list_filter = ("is_party_member", "gender")
    search_fields = ("name",)
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)
    fields = ("name", "gender", "phone", "is_party_member", "organization")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        # Phones are stored encrypted: a whole number is found by its keyed hash.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = search_term.strip().replace(" ", "").replace("-", "")
        if len(digits) == 11 and digits.isdigit():
            found |= queryset.filter(phone_hash=crypto.phone_hash(digits))
        return found, may_have_duplicates

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The form shows whole phone numbers, which only admins over the person may see: a view-only grant on
        # another subtree must not bring its people in.
        return scope.restrict(super().get_queryset(request), request.user, self.scope_field, manage=True)

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.PERSON_FIELDS}
        if change:
            services.person_update(actor=request.user, person=Person.objects.get(pk=obj.pk), **data)
        else:
            data.pop("name", None)
            data.pop("organization", None)
            created = services.person_create(actor=request.user, name=obj.name, organization=obj.organization, **data)
            obj.pk = created.pk


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    scope_field = "organization__path"
    list_display = ("person", "organization", "position")
    list_filter = ("position",)
    search_fields = ("person__name", "organization__name")
    autocomplete_fields = ("person", "organization")
    read_only_admin = True


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    scope_field = "organization__path"
    list_display = ("user", "role", "organization", "granted_at")
    list_filter = ("role",)
    autocomplete_fields = ("organization",)
    read_only_admin = True


@admin.register(ContactPoint)
class ContactPointAdmin(ScopedAdmin):
    scope_field = "org_path"
    list_display = ("name", "kind", "place", "organization")
    list_filter = ("kind",)
    search_fields = ("name", "place")
    read_only_admin = True
