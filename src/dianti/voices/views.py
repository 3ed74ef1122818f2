"""Staff pages for opinions: the moderation queue, offline entry, import, posters and the topic workbench."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dianti.campaigns import selectors as campaign_selectors
from dianti.core.http import flash_errors
from dianti.core.pagination import paginate
from dianti.core.redirects import safe_next
from dianti.orgs import selectors as org_selectors

from . import mining_bridge, permissions, places, selectors, services, views_offline
from .forms import OfflineOpinionForm
from .models import Channel, Opinion
from .suggestions import workbench_suggestions


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    filters = selectors.OpinionFilters.from_query(request.GET)
    page = paginate(request, selectors.opinion_queue(request.user, filters))
    return render(request, "voices/queue.html", {"page": page, "filters": filters, "channels": Channel.choices,
                                                 "statuses": Opinion.Status.choices,
                                                 "categories": mining_bridge.category_names()})


BULK = {
    "hide": lambda user, ops, post: services.opinions_hide(actor=user, opinions=ops, reason=post.get("reason", "")),
    "unhide": lambda user, ops, post: services.opinions_unhide(actor=user, opinions=ops),
    "move": lambda user, ops, post: services.opinions_move(
        actor=user, opinions=ops, organization=org_selectors.org_get(user, post.get("org_code", "").strip())),
    "label": lambda user, ops, post: services.opinions_label(actor=user, opinions=ops,
                                                                  category=post.get("category", "")),
    "duplicate": lambda user, ops, post: services.opinions_mark_duplicate(
        actor=user, opinions=ops[1:], original=ops[0]) if len(ops) > 1 else _raise("请至少选择两条意见：第一条为原件"),
}


def _raise(message: str) -> int:
    raise ValidationError(message)


@login_required
@require_POST
def queue_action(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    opinions = sorted(selectors.opinions_by_ids(request.user, ids), key=lambda o: ids.index(o.pk))
    if action not in BULK:
        messages.error(request, _("请选择要执行的操作"))
    elif not opinions:
        messages.error(request, _("请至少勾选一条意见"))
    else:
        try:
            n = BULK[action](request.user, opinions, request.POST)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, ngettext("已处理 %(n)d 条意见", "已处理 %(n)d 条意见", n) % {"n": n})
    return redirect(safe_next(request, "voices_queue"))


@login_required
def record(request: HttpRequest) -> HttpResponse:
    form = OfflineOpinionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            opinion = services.opinion_record(
                actor=request.user, organization=d["organization"], channel=d["channel"], text=d["text"],
                people_met=d["people_met"] or 0, point=d["point"], title=d["title"], name=d["name"], phone=d["phone"])
        except ValidationError as exc:
            for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                for m in msgs:
                    form.add_error(field if field in form.fields else None, m)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已录入，查询码 %(code)s") % {"code": opinion.tracking_code})
            return redirect("voices_record")
    return render(request, "voices/record.html", {"form": form, "offline_texts": views_offline.texts()})


def _workbench_subject(request: HttpRequest, subject_id: int) -> Any:
    from dianti.campaigns.models import Subject

    subject = permissions.ensure_can_view_subject(request.user, Subject.objects.select_related(
        "campaign", "organization", "secretary").filter(pk=subject_id).first())
    campaign_selectors.campaign_get(request.user, subject.campaign_id)
    return subject


@login_required
def workbench(request: HttpRequest, subject_id: int) -> HttpResponse:
    """The committee's topic choice for one subject: mined topics, the voices behind them, and the decision."""
    subject = _workbench_subject(request, subject_id)
    topics = list(selectors.topics_for_subject(subject).prefetch_related("opinions"))
    page = paginate(request, selectors.unsorted_for_subject(subject))
    suggestions = workbench_suggestions(subject)
    return render(request, "voices/workbench.html", {
        "subject": subject, "campaign": subject.campaign, "topics": topics, "unsorted": page, "page": page,
        "offers": [(op, suggestions.offers.get(op.pk)) for op in page], "merges": suggestions.merges,
        "responsibilities": subject.organization.responsibilities.filter(year=subject.campaign.year),
        "assigned": getattr(subject, "topic_source", None), "view": "problem",
    })


@login_required
def workbench_places(request: HttpRequest, subject_id: int) -> HttpResponse:
    """The same workbench by place: the places the opinions name, those with the most different concerns first."""
    subject = _workbench_subject(request, subject_id)
    page = paginate(request, places.places_for_subject(subject))
    return render(request, "voices/workbench_places.html", {
        "subject": subject, "campaign": subject.campaign, "page": page, "view": "place",
        "chosen_topic": selectors.assigned_topic_id(subject),
        "can_choose": permissions.can_choose_topic(request.user, subject)})
