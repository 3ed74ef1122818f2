"""What the 群众点题 step does when other steps tell it something (its component's ``subscribes``): the people
who left a phone number with an opinion hear what became of it — when it becomes a secretary's topic, and when
the rectification behind that topic moves. Their tracking page shows the same steps (see :mod:`.tracking`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.campaigns.models import Subject
from dianti.core import notify

from .figures import members, refresh
from .models import AssignedTopic, Topic
from .selectors import opinions_behind


def tell_authors_topic_assigned(*, actor: Any, subject_id: int, topic: str, org_path: str) -> None:
    """Subscriber of ``topic_assigned`` (on commit): tell the authors of the mined topic chosen for the subject."""
    assigned = AssignedTopic.objects.filter(subject_id=subject_id, topic__isnull=False).select_related(
        "subject__organization").first()
    if assigned is None:  # the committee's own words or a 责任清单 item: nobody's opinion behind it
        return
    authors = members(assigned.topic_id).exclude(author_phone="").values_list("author_name", "author_phone").distinct()
    org = assigned.subject.organization.display_name
    notify.notify(
        [notify.Recipient(user_id=None, name=name or _("群众"), phone=phone) for name, phone in authors],
        notify.Message(kind="opinion_chosen", title=_("您反映的问题已被确定为述职题目"),
                       body=_("%(org)s书记将围绕“%(topic)s”述职。") % {"org": org, "topic": topic},
                       params={"org": org, "topic": topic}, org_path=org_path))


def tell_people_case_moved(*, actor: Any, case_id: int, subject_id: int, move: str, public: bool, label: str,
                           note: str, org_path: str) -> None:
    """Subscriber of ``case_moved`` (on commit): on a public move, tell every villager who left a phone with an
    opinion behind the subject's topic. The close is its own kind (``opinion_case_closed``), so a county can send
    that one by SMS (a template per kind) and leave the steps before it to the tracking page."""
    if not public:
        return
    subject = Subject.objects.select_related("organization").get(pk=subject_id)
    org = subject.organization.display_name
    for opinion in opinions_behind(subject).exclude(author_phone=""):
        body = _("您反映的问题有了新进展：%(org)s的整改%(label)s。%(note)s凭查询码 %(code)s 可查看全过程。") % {
            "org": org, "label": label, "note": f"{note}。" if note else "", "code": opinion.tracking_code}
        notify.notify([notify.Recipient(user_id=None, name=opinion.author_name or _("群众"),
                                        phone=opinion.author_phone)],
                      notify.Message(kind="opinion_case_closed" if move == "close" else "rectification_public",
                                     title=_("您关心的问题：整改%(label)s") % {"label": label},
                                     body=body, url=reverse("voices_track", args=[opinion.tracking_code]),
                                     params={"org": org, "label": str(label), "code": opinion.tracking_code},
                                     org_path=org_path))


def reheat_campaign_topics(*, actor: Any, campaign_id: int, org_path: str) -> None:
    """Recompute the heat of the campaign's topics with the knobs its county just set."""
    for topic_id in Topic.objects.filter(campaign_id=campaign_id).values_list("pk", flat=True):
        refresh(topic_id)
