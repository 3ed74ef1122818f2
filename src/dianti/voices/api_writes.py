"""群众点题 writes for staff, through the pages' forms and services: record an opinion gathered offline, sort the
queue (hide, unhide, move, label, mark duplicates), curate topics, start the mining, and set a subject's topic —
through the one door (:func:`.topics.topic_assign`) that records where it came from and tells the people behind it.
They register on :data:`.api.router`."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Schema, Status, UploadedFile
from ninja.errors import HttpError

from dianti.campaigns.models import ResponsibilityItem, Subject
from dianti.core import jobs
from dianti.core.api import CountOut, JobOut, job_out
from dianti.core.apidoc import one_of
from dianti.core.apierrors import form_invalid
from dianti.orgs import selectors as org_selectors

from . import importers, permissions, selectors, services, topics
from .api import OpinionDetailOut, TopicOut, WorkbenchOut, opinion_detail, router, topic_out, workbench
from .forms import OfflineOpinionForm
from .models import OFFLINE_CHANNELS, Opinion, Topic

OFFLINE = [(c.value, c.label) for c in OFFLINE_CHANNELS]


class RecordIn(Schema):
    organization: str = Field(description="意见所涉组织：编码，或在您可登记范围内唯一的名称", max_length=100)
    channel: str = Field(description=one_of("来源渠道", OFFLINE), max_length=20)
    text: str = Field(description="意见内容", max_length=4000)
    people_met: int = Field(0, description="接触人次（走访、座谈必填）", ge=0, le=10000)
    point: int | None = Field(None, description="经由的民情直报点或观察点的编号（可不填）", ge=1)
    title: str = Field("", description="标题（可不填）", max_length=100)
    name: str = Field("", description="反映人姓名（可不填；只用于回访，接口从不读出）", max_length=50)
    phone: str = Field("", description="反映人手机号（可不填；加密保存，接口从不读出）", max_length=20)


class QueueIn(Schema):
    action: str = Field(description="hide 屏蔽（写明理由）、unhide 取消屏蔽、move 改到另一组织、label 标注类别、"
                                    "duplicate 标为重复（ids 的第一条为原件）", max_length=16)
    ids: list[int] = Field(description="意见编号", min_length=1, max_length=500)
    reason: str = Field("", description="屏蔽理由（hide 必填）", max_length=200)
    organization: str = Field("", description="改到的组织编码（move 必填）", max_length=32)
    category: str = Field("", description="政策类别（label 必填；可选类别见分类器，如“基础设施”）", max_length=32)


class AssignIn(Schema):
    text: str = Field(description="述职题目（4 至 200 个字）", max_length=200)
    topic: int | None = Field(None, description="题目来自的话题编号（本组织的话题，可不填）", ge=1)
    responsibility: int | None = Field(None, description="题目来自的党建责任事项编号（可不填）", ge=1)
    confirm_duplicate: bool = Field(False, description="题目与本活动另一位书记的相同时，确认仍要使用")


class TopicActIn(Schema):
    title: str = Field("", description="话题名称（rename 必填；merge、split 可写新名称）", max_length=200)
    others: list[int] = Field([], description="merge：并入本话题的其他话题编号", max_length=100)
    opinions: list[int] = Field([], description="split：拆出的意见编号；move：要移动的一条意见", max_length=500)
    target: int | None = Field(None, description="move：移到的话题编号；不填表示移出话题", ge=1)


@router.post("/opinions", url_name="opinions", response={201: OpinionDetailOut}, summary="登记线下意见",
             description="与“登记意见”页面相同：走访、座谈、直报点、观察点、自查得来的意见。管理员可为本人管理的组织登记，"
                         "直报点工作人员可为其点位服务的组织登记。返回新意见（含查询码）。")
def opinion_record(request: HttpRequest, body: RecordIn) -> Status[dict[str, object]]:
    form = OfflineOpinionForm({**body.dict(), "point": body.point or ""}, user=request.user)
    if not form.is_valid():
        raise form_invalid(form)
    d = form.cleaned_data
    opinion = services.opinion_record(
        actor=request.user, organization=d["organization"], channel=d["channel"], text=d["text"],
        people_met=d["people_met"] or 0, point=d["point"], title=d["title"], name=d["name"], phone=d["phone"])
    return Status(201, opinion_detail(request, opinion.pk))


def _bulk(request: HttpRequest, body: QueueIn, ops: list[Opinion]) -> int:
    user = request.user
    if body.action == "hide":
        return services.opinions_hide(actor=user, opinions=ops, reason=body.reason)
    if body.action == "unhide":
        return services.opinions_unhide(actor=user, opinions=ops)
    if body.action == "move":
        if not body.organization:
            raise ValidationError({"organization": _("请填写要改到的组织编码")})
        target = org_selectors.org_get(user, body.organization)
        return services.opinions_move(actor=user, opinions=ops, organization=target)
    if body.action == "label":
        return services.opinions_label(actor=user, opinions=ops, category=body.category)
    if body.action == "duplicate":
        if len(ops) < 2:
            raise ValidationError(_("请至少选择两条意见：第一条为原件"))
        return services.opinions_mark_duplicate(actor=user, opinions=ops[1:], original=ops[0])
    raise ValidationError({"action": _("没有这个操作：可用 hide、unhide、move、label、duplicate")})


@router.post("/opinions/actions", response=CountOut, summary="整理意见",
             description="与意见列表的批量操作相同：屏蔽、取消屏蔽、改组织、标注类别、标为重复。只处理本人管理的组织的意见；"
                         "找不到或看不到的编号不处理。")
def opinions_act(request: HttpRequest, body: QueueIn) -> dict[str, int]:
    found = {o.pk: o for o in selectors.opinions_by_ids(request.user, body.ids)}
    ops = [found[i] for i in dict.fromkeys(body.ids) if i in found]
    if not ops:
        raise Http404(_("找不到这些意见，或您无权查看"))
    return {"count": _bulk(request, body, ops)}


@router.post("/opinions/import", response=JobOut, summary="导入群众意见",
             description="上传按模板填写的 .xlsx 或 .csv，在后台导入；返回任务，用 GET /api/v1/jobs/{id} 查看进度。")
def opinions_import(request: HttpRequest,
                    file: UploadedFile = File(..., description="要导入的文件（.xlsx 或 .csv，至多 20 MB）")) -> Any:
    return job_out(importers.opinions_import_submit(actor=request.user, upload=file))


def _choosable(request: HttpRequest, subject_id: int) -> Subject:
    return permissions.ensure_can_choose_topic(
        request.user, Subject.objects.select_related("campaign", "organization").filter(pk=subject_id).first())


@router.post("/subjects/{subject_id}/topic", response=WorkbenchOut, summary="点题",
             description="为述职对象确定述职题目（召集组织的管理员，“点题”阶段）：可来自话题（群众呼声）、党建责任事项，"
                         "或自拟。书记和话题背后留了手机号的群众会收到通知。与本活动另一位书记的题目相同时返回 409，"
                         "确认仍要使用请加 confirm_duplicate。")
def topic_assign(request: HttpRequest, subject_id: int, body: AssignIn) -> dict[str, object]:
    subject = _choosable(request, subject_id)
    topic = Topic.objects.filter(pk=body.topic or 0, organization=subject.organization).first()
    item = ResponsibilityItem.objects.filter(pk=body.responsibility or 0, organization=subject.organization).first()
    if body.topic and topic is None:
        raise ValidationError({"topic": _("找不到本组织的这个话题")})
    if body.responsibility and item is None:
        raise ValidationError({"responsibility": _("找不到本组织的这个责任事项")})
    try:
        topics.topic_assign(actor=request.user, subject=subject, text=body.text, topic=topic, responsibility=item,
                            confirm_duplicate=body.confirm_duplicate)
    except topics.DuplicateTopic as exc:
        raise HttpError(409, exc.messages[0]) from None
    return workbench(request, subject.pk)


@router.post("/subjects/{subject_id}/mine", response=JobOut, summary="梳理群众意见",
             description="在后台把本组织的意见梳理成话题；返回任务，用 GET /api/v1/jobs/{id} 查看进度。")
def topics_mine(request: HttpRequest, subject_id: int) -> Any:
    subject = _choosable(request, subject_id)
    job = jobs.submit(kind="voices.mine", title=f"梳理{subject.organization.display_name}的群众意见", actor=request.user,
                      params={"organization": subject.organization_id, "campaign": subject.campaign_id,
                              "back": reverse("voices_workbench", args=[subject.pk])})
    return job_out(job)


@router.post("/topics/{topic_id}/{action}", response={200: TopicOut, 204: None}, summary="整理话题",
             description="action：rename 改名、merge 合并（others 并入本话题）、split 拆分（opinions 拆成新话题）、"
                         "move 移动一条意见（opinions 的第一条，移到 target 或移出）。返回办理后的话题（拆分时为新话题，"
                         "移动时为移到的话题）；话题因此没有意见而不再存在时返回 204。")
def topic_act(request: HttpRequest, topic_id: int, action: str, body: TopicActIn) -> Any:
    topic = selectors.topic_get(request.user, topic_id)
    if action == "rename":
        result = topics.topic_rename(actor=request.user, topic=topic, title=body.title)
    elif action == "merge":
        others = list(Topic.objects.filter(pk__in=body.others, organization=topic.organization).exclude(pk=topic.pk))
        result = topics.topic_merge(actor=request.user, topics=[topic, *others], title=body.title)
    elif action == "split":
        result = topics.topic_split(actor=request.user, topic=topic, opinion_ids=body.opinions, title=body.title)
    elif action == "move":
        opinion = Opinion.objects.filter(pk=body.opinions[0] if body.opinions else 0, topic=topic).first()
        if opinion is None:
            raise ValidationError({"opinions": _("请给出本话题下的一条意见")})
        target = Topic.objects.filter(pk=body.target or 0, organization=topic.organization).first()
        topics.opinion_set_topic(actor=request.user, opinion=opinion, topic=target)
        result = target or topic
    else:
        raise Http404(_("没有这个操作：可用 rename、merge、split、move"))
    found = Topic.objects.prefetch_related("opinions").filter(pk=getattr(result, "pk", None)).first()
    return Status(200, topic_out(found)) if found is not None else Status(204, None)

