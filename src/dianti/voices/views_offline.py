"""The recording page as an installable app that works with no signal (voices/static/voices/offline.js): the
service worker and manifest it installs from, the state it checks before sending (signed in? a fresh CSRF token),
and the door each kept record comes through (:func:`.offline.opinion_record_once`).

The sender answers in JSON: 201 a new record, 200 one this phone had sent before, 400 a record to correct on the
phone (each field's Chinese message). A visitor whose session ended is sent to sign in by the read rules
(core/reads.py), which the script sees as a redirect and answers by asking to sign in again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import offline
from .forms import OfflineOpinionForm

# Bump when the page's shape changes: the service worker drops the pages and files cached under another version.
VERSION = "record-v1"


def texts() -> dict[str, str]:
    """The words the recording page's script shows (voices/offline.js), translated here like the page's own."""
    return {
        "pending": _("待上传"), "invalid": _("需修改："), "edit": _("修改"), "drop": _("删除"),
        "confirm_drop": _("删除这条还没上传的记录？删除后无法找回。"),
        "kept": _("已保存在本机，待上传。"), "sending": _("正在上传…"),
        "offline": _("没有网络：记录已保存在本机，网络恢复后会自动上传。"),
        "retrying": _("暂时无法上传，稍后自动重试；记录仍保存在本机。"),
        "login": _("登录已过期：记录仍保存在本机，请重新登录，登录后会自动上传。"),
        "other_user": _("现在登录的是另一位用户：这些记录请用录入人的账号登录后上传。"),
        "forbidden": _("您的账号无权上传意见记录，请联系管理员；记录仍保存在本机。"),
        "fix": _("有 __N__ 条记录需要修改后再上传。"), "all_sent": _("已全部上传。"),
        "sent": _("已上传，查询码 __CODE__"),
    }


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _problems(form: OfflineOpinionForm | None, exc: ValidationError | None = None) -> JsonResponse:
    errors: dict[str, list[str]] = {}
    if form is not None:
        for field, messages in form.errors.items():
            label = str(form.fields[field].label) if field in form.fields else ""
            errors[field] = [f"{label}：{m}" if label else str(m) for m in messages]
    if exc is not None:
        errors.update(getattr(exc, "message_dict", {"__all__": exc.messages}))
    first = next((m for ms in errors.values() for m in ms), _("这条记录有误，请修改后再上传"))
    return _json({"status": "invalid", "message": first, "errors": errors}, status=400)


@never_cache
@login_required
@require_GET
def record_state(request: HttpRequest) -> JsonResponse:
    """Return who is signed in and a CSRF token to send with: the phone asks before each round of sending."""
    return _json({"user": request.user.pk, "csrf": get_token(request)})


@never_cache
@login_required
@require_POST
def record_sync(request: HttpRequest) -> JsonResponse:
    """Take one record kept on the phone; the same key again returns the record it made the first time."""
    form = OfflineOpinionForm(request.POST, user=request.user)
    try:
        key = offline.parse_key(request.POST.get("client_key", ""))
    except ValidationError as exc:
        return _problems(None, exc)
    if not form.is_valid():
        return _problems(form)
    d = form.cleaned_data
    try:
        opinion, created = offline.opinion_record_once(
            actor=request.user, client_key=key, organization=d["organization"], channel=d["channel"],
            text=d["text"], people_met=d["people_met"] or 0, point=d["point"], title=d["title"], name=d["name"],
            phone=d["phone"])
    except ValidationError as exc:
        return _problems(None, exc)
    except PermissionDenied as exc:
        return _problems(None, ValidationError(str(exc)))
    return _json({"status": "created" if created else "exists", "key": str(key),
                  "tracking_code": opinion.tracking_code, "organization": opinion.organization.name},
                 status=201 if created else 200)


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Serve the service worker from the recording page's own path, the scope it controls."""
    body = render_to_string("voices/sw.js", {"version": VERSION, "page": reverse("voices_record")})
    return HttpResponse(body, content_type="application/javascript; charset=utf-8")


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest that lets a phone install the recording page on its home screen."""
    from django.templatetags.static import static

    page = reverse("voices_record")
    response = _json({
        "name": _("点题述职 · 录入意见"), "short_name": _("录入意见"), "lang": "zh-CN",
        "start_url": page, "scope": page, "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#b71c1c",
        "icons": [{"src": static("dianti/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    })
    response["Content-Type"] = "application/manifest+json"
    return response
