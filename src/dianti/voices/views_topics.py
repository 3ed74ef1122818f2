"""Staff pages around topics: mining, the topic decision, curation moves, opinion import and QR posters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.campaigns.models import ResponsibilityItem, Subject
from dianti.core import jobs
from dianti.core.dbrouter import replica_reads
from dianti.core.excel import workbook, xlsx_response
from dianti.core.http import file_response, flash_errors
from dianti.core.imports import import_page
from dianti.core.redirects import safe_next
from dianti.orgs import selectors as org_selectors
from dianti.orgs.models import ContactPoint

from . import importers, permissions, place_topics, posters, selectors, topics
from .models import Opinion, Topic


def _subject(request: HttpRequest, subject_id: int) -> Subject:
    return permissions.ensure_can_choose_topic(
        request.user, Subject.objects.select_related("campaign", "organization").filter(pk=subject_id).first())


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
    text, confirm = request.POST.get("text", ""), bool(request.POST.get("confirm_duplicate"))
    try:
        if place := request.POST.get("place", ""):  # a place's concern (the workbench by place)
            place_topics.place_topic_assign(actor=request.user, subject=subject, place=place, text=text,
                                            confirm_duplicate=confirm)
        else:
            topics.topic_assign(actor=request.user, subject=subject, text=text, topic=topic, responsibility=item,
                                confirm_duplicate=confirm)
    except topics.DuplicateTopic as exc:
        return render(request, "voices/assign_confirm.html", {
            "subject": subject, "warning": exc.messages[0], "back": _back(request, subject),
            "fields": {k: request.POST.get(k, "") for k in ("text", "topic", "responsibility", "place", "next")}})
    except ValidationError as exc:
        flash_errors(request, exc)
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
            if not others:  # the service's 请至少选择两个话题 reads wrong under 并入本话题, where this one is chosen
                raise ValidationError(_("请先勾选要并入“%(title)s”的话题") % {"title": topic.title})
            topics.topic_merge(actor=request.user, topics=[topic, *others], title=request.POST.get("title", ""))
        elif action == "split":
            ids = [int(i) for i in request.POST.getlist("opinion") if i.isdigit()]
            topics.topic_split(actor=request.user, topic=topic, opinion_ids=ids, title=request.POST.get("title", ""))
        elif action == "move":
            opinion = get_object_or_404(Opinion, pk=int(request.POST.get("opinion", "0")), topic=topic)
            target = Topic.objects.filter(pk=request.POST.get("target") or 0).first()
            topics.opinion_set_topic(actor=request.user, opinion=opinion, topic=target)
        elif action == "take":  # an unsorted opinion of the topic's organization joins it
            opinion = get_object_or_404(Opinion, pk=int(request.POST.get("opinion", "0")), topic__isnull=True,
                                        organization=topic.organization)
            topics.opinion_set_topic(actor=request.user, opinion=opinion, topic=topic)
        else:
            messages.error(request, _("未知操作"))
            return redirect(back)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已保存"))
    return redirect(back)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    return import_page(
        request, submit=lambda upload: importers.opinions_import_submit(actor=request.user, upload=upload),
        template=lambda: xlsx_response(workbook(importers.COLUMNS, importers.EXAMPLE, "导入"), "群众意见导入模板.xlsx"),
        page={"title": _("导入群众意见"), "templates": [("?template=1", _("下载模板"))],
              "help": [_("按模板填写组织编码、渠道（走访、座谈、民情直报点、组织工作观察点、自查）、意见内容等。支持 .xlsx 和 .csv"
                         "（UTF-8 或 GBK）。导入要么全部成功，要么一条也不写入。")]})


@replica_reads
@login_required
def poster(request: HttpRequest, code: str) -> HttpResponse:
    org = org_selectors.org_get(request.user, code)
    url = request.build_absolute_uri(reverse("voices_public", args=[org.code]))
    pdf = posters.poster_pdf(title="群众点题", subtitle=org.name, url=url,
                             lines=["您最希望书记解决什么问题？", "您的意见将作为书记述职的题目"])
    return file_response(pdf, f"poster-{org.code}.pdf", "pdf", inline=True)


@replica_reads
@login_required
def point_poster(request: HttpRequest, pk: int) -> HttpResponse:
    point = permissions.ensure_can_view_point(
        request.user, ContactPoint.objects.select_related("organization").filter(pk=pk).first())
    url = request.build_absolute_uri(reverse("voices_public", args=[point.organization.code]))
    pdf = posters.poster_pdf(title=point.get_kind_display(), subtitle=point.name, url=url,
                             lines=[point.place, point.organization.name])
    return file_response(pdf, f"poster-point-{point.pk}.pdf", "pdf", inline=True)
