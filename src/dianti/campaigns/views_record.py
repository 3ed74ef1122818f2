"""The record pages (履职档案, :mod:`.record`): a secretary's own, a person's and an organization's for staff in
scope. Parse → authorize (the selectors answer 404 out of scope) → build → render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.core.components import Audience
from dianti.core.dbrouter import replica_reads
from dianti.core.reads import may_read
from dianti.orgs import selectors as org_selectors
from dianti.orgs.models import Person

from . import record


@replica_reads
@login_required
def record_mine(request: HttpRequest) -> HttpResponse:
    person = Person.objects.filter(user=request.user).select_related("organization").first()
    return render(request, "campaigns/record.html", {
        "title": _("我的履职档案"), "audience": Audience.SELF,
        "subtitle": person.organization.name if person else "",
        "years": record.build(record.own_subjects(request.user), Audience.SELF, request.user),
        "links": [(_("我的述职"), reverse("my_campaigns"))],
        "empty": _("还没有已公示的述职记录：被点名述职的名单公示后，这里会逐年记下您的题目、述职、评议和整改。")})


@replica_reads
@login_required
def record_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = org_selectors.person_get(request.user, pk)
    links = [(_("人员信息"), reverse("person_detail", args=[person.pk]))] if may_read(request.user,
                                                                                 "person_detail") else []
    links.append((_("公开页"), reverse("portal_record", args=[person.organization.code])))
    return render(request, "campaigns/record.html", {
        "title": _("%(name)s · 履职档案") % {"name": person.name}, "audience": Audience.STAFF,
        "subtitle": person.organization.name,
        "years": record.build(record.person_subjects(request.user, person), Audience.STAFF, request.user),
        "links": links, "empty": _("在您的管辖范围内，此人还没有被点名述职的记录。")})


@replica_reads
@login_required
def record_org(request: HttpRequest, code: str) -> HttpResponse:
    org = org_selectors.org_get(request.user, code)
    return render(request, "campaigns/record.html", {
        "title": _("%(org)s · 书记述职档案") % {"org": org.display_name}, "audience": Audience.STAFF,
        "subtitle": org.name,
        "years": record.build(record.org_subjects(request.user, org), Audience.STAFF, request.user),
        "links": [(_("组织信息"), reverse("org_detail", args=[org.code])),
                  (_("公开页"), reverse("portal_record", args=[org.code]))],
        "empty": _("该组织还没有被点名述职的记录。")})
