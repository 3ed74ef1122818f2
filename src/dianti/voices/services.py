"""Writes for opinions: public submission, offline entry, moderation and +1 supports. Each validates, writes in
one transaction and appends an audit record (public submissions are audited too, with no actor)."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.html import strip_tags

from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import audit, jobs, ratelimit
from dianti.orgs.models import ContactPoint, Organization
from dianti.orgs.permissions import ensure_can_manage
from dianti.orgs.services import validate_phone

from . import figures, mining_bridge
from .models import OFFLINE_CHANNELS, Channel, ClassifierState, Opinion, Support, Topic
from .permissions import ensure_can_record, relay_points  # noqa: F401  (relay_points: offered here too)
from .topics import supports_copy

MAX_TEXT = 2000
MIN_TEXT = 5
MAX_PHOTO_BYTES = 8 * 1024 * 1024
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PUBLIC_LIMITS = ((5, 600), (30, 86400))  # (submissions, seconds) per address and per device
# "我也关心" from one address for one topic or opinion per day: a hall or a village behind one mobile-network
# address still counts, a script that clears its cookie between clicks stops here.
SUPPORTS_PER_ADDRESS_DAY = 20
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str, *, limit: int = MAX_TEXT) -> str:
    """Return the opinion as plain text: tags and control characters removed, whitespace tidied, length checked."""
    text = _CONTROL.sub("", strip_tags(text or ""))
    text = re.sub(r"[ \t\u3000]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) < MIN_TEXT:
        raise ValidationError({"text": f"意见内容太短，请至少写 {MIN_TEXT} 个字"})
    if len(text) > limit:
        raise ValidationError({"text": f"意见内容太长（{len(text)} 字），请控制在 {limit} 字以内，或分几条提交"})
    return text


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def open_campaign_for(org: Organization) -> Campaign | None:
    """Return the campaign currently collecting opinions about ``org``: one where it is a subject, still before
    the meeting, latest year first."""
    subject = (Subject.objects.filter(organization=org, campaign__phase__in=[Phase.NOMINATE, Phase.TOPICS])
               .select_related("campaign").order_by("-campaign__year").first())
    return subject.campaign if subject else None


def _author_key(phone: str, device_hash: str) -> str:
    if phone:
        return ratelimit.digest(f"phone:{phone}")
    if device_hash:
        return f"dev:{device_hash[:56]}"
    return f"op:{secrets.token_hex(16)}"


def _check_photo(photo: Any) -> None:
    if photo is None:
        return
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": "照片不能超过 8 MB"})
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(photo) as img:
            img.verify()
    except (UnidentifiedImageError, OSError):
        raise ValidationError({"photo": "无法识别该图片，请上传 JPG 或 PNG 照片"}) from None
    photo.seek(0)


def _without_metadata(photo: Any) -> ContentFile[bytes]:
    """Return the photo re-encoded as JPEG with no metadata: a phone's EXIF says where (GPS), when and on which
    device it was taken, which would undo an anonymous opinion."""
    from PIL import Image, ImageOps

    photo.seek(0)
    with Image.open(photo) as img:
        upright = ImageOps.exif_transpose(img)  # keep the picture the right way up once the orientation tag goes
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=90)
    return ContentFile(out.getvalue())


@dataclass(frozen=True)
class Submitter:
    """Where a public submission came from, as hashes only."""

    ip_hash: str
    device_hash: str


RateLimited = ratelimit.RateLimited  # what the public pages catch (one kind, from the kernel)


def _create(**fields: Any) -> Opinion:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Opinion.objects.create(tracking_code=new_tracking_code(), **fields)
        except IntegrityError:
            if fields.get("client_key") is not None:
                raise  # perhaps the same record sent twice: offline.opinion_record_once answers with the first
            continue
    raise RuntimeError("could not allocate a tracking code")


@transaction.atomic
def opinion_submit(
    *, organization: Organization, text: str, submitter: Submitter, title: str = "", anonymous: bool = True,
    name: str = "", phone: str = "", photo: Any = None, phone_verified: bool = False,
) -> Opinion:
    """Take an opinion from the public page (QR code); return it with its tracking code. ``phone_verified``: the
    phone was proved by an SMS code just now (voices/verify.py)."""
    ratelimit.ensure_within("opinion", PUBLIC_LIMITS, ip_hash=submitter.ip_hash, device_hash=submitter.device_hash)
    text = clean_text(text)
    phone = validate_phone(phone) if phone else ""
    _check_photo(photo)
    opinion = _create(
        organization=organization, org_path=organization.path, campaign=open_campaign_for(organization),
        channel=Channel.ONLINE, title=clean_text(title, limit=100) if len(title.strip()) >= MIN_TEXT else title.strip()[:100],
        text=text, anonymous=anonymous or not name.strip(), author_name="" if anonymous else name.strip()[:50],
        author_phone=phone, author_key=_author_key(phone, submitter.device_hash), phone_verified=bool(phone) and phone_verified,
    )
    if photo is not None:
        opinion.photo.save(f"{opinion.tracking_code}.jpg", _without_metadata(photo), save=True)
    audit.record(actor=None, action="opinion.submit", target=opinion, org_path=opinion.org_path,
                 changes={"channel": [None, opinion.get_channel_display()]})
    _after_new(opinion)
    return opinion


@transaction.atomic
def opinion_record(
    *, actor: Any, organization: Organization, channel: str, text: str, people_met: int = 0,
    point: ContactPoint | None = None, title: str = "", name: str = "", phone: str = "", client_key: Any = None,
) -> Opinion:
    """Record an opinion gathered offline: a visit, a symposium, a point's relay or a self-inspection finding.
    ``client_key`` is the recording phone's key for it (see :func:`.offline.opinion_record_once`)."""
    point = ensure_can_record(actor, organization, point)
    if channel not in OFFLINE_CHANNELS:
        raise ValidationError({"channel": "请选择意见来源渠道"})
    if people_met < 0 or people_met > 10000:
        raise ValidationError({"people_met": "接触人次应在 0 至 10000 之间"})
    if channel in (Channel.VISIT, Channel.SYMPOSIUM) and people_met < 1:
        raise ValidationError({"people_met": "走访或座谈请填写接触的人次"})
    phone = validate_phone(phone) if phone else ""
    opinion = _create(
        organization=organization, org_path=organization.path, campaign=open_campaign_for(organization),
        channel=channel, point=point, title=title.strip()[:100], text=clean_text(text), author_name=name.strip()[:50],
        author_phone=phone, anonymous=not name.strip(), author_key=_author_key(phone, ""), people_met=people_met,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None, client_key=client_key,
    )
    audit.record(actor=actor, action="opinion.record", target=opinion, org_path=opinion.org_path,
                 changes={"channel": [None, opinion.get_channel_display()], "people_met": [None, people_met]})
    _after_new(opinion)
    return opinion


def _after_new(opinion: Opinion) -> None:
    """Classify the new opinion and add it to its organization's topics once this transaction commits."""
    opinion_id = opinion.pk
    transaction.on_commit(lambda: mining_bridge.absorb_one(opinion_id))


@transaction.atomic
def opinions_hide(*, actor: Any, opinions: list[Opinion], reason: str) -> int:
    """Hide spam or abuse from the public, with a reason; never deleted, always in the audit log."""
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": "请写明屏蔽理由"})
    for op in opinions:
        ensure_can_manage(actor, op.organization)
        op.status, op.hidden_reason = Opinion.Status.HIDDEN, reason[:200]
        op.save(update_fields=["status", "hidden_reason"])
        audit.record(actor=actor, action="opinion.hide", target=op, org_path=op.org_path,
                     changes={"status": ["正常", "已屏蔽"]}, note=reason)
    _refresh_topics({op.topic_id for op in opinions})
    return len(opinions)


@transaction.atomic
def opinions_unhide(*, actor: Any, opinions: list[Opinion]) -> int:
    for op in opinions:
        ensure_can_manage(actor, op.organization)
        op.status, op.hidden_reason = Opinion.Status.VISIBLE, ""
        op.save(update_fields=["status", "hidden_reason"])
        audit.record(actor=actor, action="opinion.unhide", target=op, org_path=op.org_path,
                     changes={"status": ["已屏蔽", "正常"]})
    _refresh_topics({op.topic_id for op in opinions})
    return len(opinions)


@transaction.atomic
def opinions_move(*, actor: Any, opinions: list[Opinion], organization: Organization) -> int:
    """Fix a wrong organization: the opinions leave their topics and join the right organization's."""
    ensure_can_manage(actor, organization)
    old_topics = set()
    for op in opinions:
        ensure_can_manage(actor, op.organization)
        old = op.organization.name
        old_topics.add(op.topic_id)
        op.organization, op.org_path, op.topic = organization, organization.path, None
        op.campaign = open_campaign_for(organization)
        op.save(update_fields=["organization", "org_path", "topic", "campaign"])
        audit.record(actor=actor, action="opinion.move", target=op, org_path=organization.path,
                     changes={"organization": [old, organization.name]})
        _after_new(op)
    _refresh_topics(old_topics)
    return len(opinions)


@transaction.atomic
def opinions_mark_duplicate(*, actor: Any, opinions: list[Opinion], original: Opinion) -> int:
    """Mark opinions as duplicates of ``original``; their supports move to it (one per device)."""
    ensure_can_manage(actor, original.organization)
    for op in opinions:
        if op.pk == original.pk:
            raise ValidationError("不能把一条意见标记为它自己的重复")
        ensure_can_manage(actor, op.organization)
        op.duplicate_of = original
        op.save(update_fields=["duplicate_of"])
        supports_copy(Support.objects.filter(opinion=op), opinion=original)
        audit.record(actor=actor, action="opinion.duplicate", target=op, org_path=op.org_path,
                     changes={"duplicate_of": [None, original.tracking_code]})
    _recount_opinion(original)
    return len(opinions)


@transaction.atomic
def opinions_label(*, actor: Any, opinions: list[Opinion], category: str) -> int:
    """Record the category staff give; every :data:`~.mining_bridge.RETRAIN_EVERY` new labels retrain the
    classifier in the background."""
    if category not in mining_bridge.category_names():
        raise ValidationError("请选择类别")
    for op in opinions:
        ensure_can_manage(actor, op.organization)
        old = op.category
        op.category, op.category_confidence, op.category_source = category, 1.0, Opinion.CategorySource.STAFF
        op.save(update_fields=["category", "category_confidence", "category_source"])
        audit.record(actor=actor, action="opinion.label", target=op, org_path=op.org_path,
                     changes={"category": [old or None, category]})
    labelled = Opinion.objects.filter(category_source=Opinion.CategorySource.STAFF).count()
    last = ClassifierState.objects.order_by("-trained_at").values_list("labels", flat=True).first() or 0
    if labelled >= mining_bridge.MIN_LABELS and labelled - last >= mining_bridge.RETRAIN_EVERY:
        jobs.submit(kind="voices.train", title="重新训练意见分类模型", actor=actor)
    return len(opinions)


def _recount_opinion(opinion: Opinion) -> None:
    Opinion.objects.filter(pk=opinion.pk).update(supports=Support.objects.filter(opinion=opinion).count())


def _refresh_topics(topic_ids: set[int | None]) -> None:
    for tid in topic_ids:
        if tid is not None:
            figures.refresh(tid)


def support_add(*, device_hash: str, ip_hash: str = "", opinion: Opinion | None = None,
                topic: Topic | None = None, phone_hash: str = "") -> bool:
    """Add one "我也关心" from a device; return False if that device (or that proved phone) already supports it.

    One per device (the database's unique constraint), and at most :data:`SUPPORTS_PER_ADDRESS_DAY` per address
    (``ip_hash``) per topic or opinion per day, since a new device is only a cleared cookie away. Public pages
    always pass ``ip_hash``; only the demo loader leaves it empty. ``phone_hash``: the key of a phone proved by SMS
    code (voices/verify.py), making it a verified person's support — one per phone; a device that supported
    unverified and proves a phone later has its support marked verified.
    """
    if not device_hash or (opinion is None) == (topic is None):
        raise ValidationError("无法记录：缺少设备标识")
    target = f"opinion:{opinion.pk}" if opinion is not None else f"topic:{topic.pk}"  # type: ignore[union-attr]
    if ip_hash and not ratelimit.allow(f"support:{target}", ip_hash, SUPPORTS_PER_ADDRESS_DAY, 86400):
        raise RateLimited("同一网络今天对这一条的“我也关心”已经够多了，请明天再来")
    topic_id = opinion.topic_id if opinion is not None else topic.pk  # type: ignore[union-attr]
    try:
        with transaction.atomic():
            Support.objects.create(device_hash=device_hash, phone_hash=phone_hash, opinion=opinion, topic=topic)
    except IntegrityError:
        if phone_hash and _support_prove(device_hash, phone_hash, opinion=opinion, topic=topic) and topic_id:
            transaction.on_commit(lambda: figures.refresh(topic_id))
        return False
    if opinion is not None:
        Opinion.objects.filter(pk=opinion.pk).update(supports=F("supports") + 1)
    else:
        Topic.objects.filter(pk=topic.pk).update(supports=F("supports") + 1)  # type: ignore[union-attr]
    if topic_id and (opinion is not None or phone_hash):  # the topic's figures count supporters and verified people
        transaction.on_commit(lambda: figures.refresh(topic_id))
    return True


def _support_prove(device_hash: str, phone_hash: str, **target: Any) -> bool:
    """Mark the device's unverified support verified by ``phone_hash``, unless that phone already supports it."""
    if Support.objects.filter(phone_hash=phone_hash, **target).exists():
        return False
    try:
        with transaction.atomic():
            return bool(Support.objects.filter(device_hash=device_hash, phone_hash="", **target)
                        .update(phone_hash=phone_hash))
    except IntegrityError:
        return False
