"""Staff pages around topics: mining, the topic decision, curation moves, opinion import and QR posters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.campaigns.models import ResponsibilityItem, Subject
from dianti.core import jobs
from dianti.core.excel import workbook, xlsx_response
from dianti.core.http import error_messages
from dianti.core.imports import ImportRefused
from dianti.core.redirects import safe_next
from dianti.core.scope import OutOfScope, scope_for
from dianti.orgs import selectors as org_selectors
from dianti.orgs.models import ContactPoint

from . import importers, posters, selectors, topics
from .models import Opinion, Topic


def _subject(request: HttpRequest, subject_id: int) -> Subject:
    subject = Subject.objects.select_related("campaign", "organization").filter(pk=subject_id).first()
    if subject is None or not scope_for(request.user).can_manage_path(subject.campaign.org_path):
        raise PermissionDenied("只有召集组织的管理员可以为述职对象点题")
    return subject


@login_required
@require_POST
def mine(request: HttpRequest, subject_id: int) -> HttpResponse:
    subject = _subject(request, subject_id)
    job = jobs.submit(kind="voices.mine", title=f"梳理{subject.organization.display_name}的群众意见", actor=request.user,
                      params={"organization": subject.organization_id, "campaign": subject.campaign_id,
                              "back": reverse("voices_workbench", args=[subject.pk])})
    return redirect("job_detail", pk=job.pk)


def _back(request: HttpRequest, subject: Subject) -> str:
    """Return the page the decision came from (the campaign page or the workbench), never another site."""
    return safe_next(request, "voices_workbench", subject.pk)


@login_required
@require_POST
def assign(request: HttpRequest, subject_id: int) -> HttpResponse:
    """The one door for setting a topic: the workbench and the campaign page both post here."""
    subject = _subject(request, subject_id)
    topic = Topic.objects.filter(pk=request.POST.get("topic") or 0, organization=subject.organization).first()
    item = ResponsibilityItem.objects.filter(pk=request.POST.get("responsibility") or 0,
                                             organization=subject.organization).first()
    try:
        topics.topic_assign(actor=request.user, subject=subject, text=request.POST.get("text", ""), topic=topic,
                            responsibility=item, confirm_duplicate=bool(request.POST.get("confirm_duplicate")))
    except topics.DuplicateTopic as exc:
        return render(request, "voices/assign_confirm.html", {
            "subject": subject, "warning": exc.messages[0], "back": _back(request, subject),
            "fields": {k: request.POST.get(k, "") for k in ("text", "topic", "responsibility", "next")}})
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    except OutOfScope as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("已为%(org)s确定述职题目，并通知书记") % {"org": subject.organization.display_name})
    return redirect(_back(request, subject))


@login_required
@require_POST
def topic_action(request: HttpRequest, pk: int) -> HttpResponse:
    topic = selectors.topic_get(request.user, pk)
    action = request.POST.get("action")
    back = safe_next(request, "voices_queue")
    try:
        if action == "rename":
            topics.topic_rename(actor=request.user, topic=topic, title=request.POST.get("title", ""))
        elif action == "merge":
            ids = [int(i) for i in request.POST.getlist("other") if i.isdigit()]
            others = list(Topic.objects.filter(pk__in=ids, organization=topic.organization).exclude(pk=topic.pk))
            topics.topic_merge(actor=request.user, topics=[topic, *others], title=request.POST.get("title", ""))
        elif action == "split":
            ids = [int(i) for i in request.POST.getlist("opinion") if i.isdigit()]
            topics.topic_split(actor=request.user, topic=topic, opinion_ids=ids, title=request.POST.get("title", ""))
        elif action == "move":
            opinion = Opinion.objects.get(pk=int(request.POST.get("opinion", "0")), topic=topic)
            target = Topic.objects.filter(pk=request.POST.get("target") or 0).first()
            topics.opinion_set_topic(actor=request.user, opinion=opinion, topic=target)
        else:
            messages.error(request, _("未知操作"))
            return redirect(back)
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    except (OutOfScope, Opinion.DoesNotExist) as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("已保存"))
    return redirect(back)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.GET.get("template"):
        return xlsx_response(workbook(importers.COLUMNS, importers.EXAMPLE, "导入"), "群众意见导入模板.xlsx")
    error = ""
    if request.method == "POST":
        try:
            job = importers.opinions_import_submit(actor=request.user, upload=request.FILES.get("file"))
        except ImportRefused as exc:
            error = str(exc)
        else:
            return redirect("job_detail", pk=job.pk)
    return render(request, "voices/import.html", {"error": error}, status=400 if error else 200)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def poster(request: HttpRequest, code: str) -> HttpResponse:
    org = org_selectors.org_get(request.user, code)
    url = request.build_absolute_uri(reverse("voices_public", args=[org.code]))
    pdf = posters.poster_pdf(title="群众点题", subtitle=org.name, url=url,
                             lines=["您最希望书记解决什么问题？", "您的意见将作为书记述职的题目"])
    return _pdf(pdf, f"poster-{org.code}.pdf")


@login_required
def point_poster(request: HttpRequest, pk: int) -> HttpResponse:
    point = ContactPoint.objects.select_related("organization").filter(pk=pk).first()
    if point is None or not scope_for(request.user).can_view_path(point.org_path):
        raise PermissionDenied("您无权查看该点位")
    url = request.build_absolute_uri(reverse("voices_public", args=[point.organization.code]))
    pdf = posters.poster_pdf(title=point.get_kind_display(), subtitle=point.name, url=url,
                             lines=[point.place, point.organization.name])
    return _pdf(pdf, f"poster-point-{point.pk}.pdf")
