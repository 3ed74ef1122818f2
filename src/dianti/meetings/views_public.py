"""The phone pages of the meeting hall: attendees ask and upvote questions and sign in; evaluators score.

The evaluator's code travels in an encrypted cookie (:mod:`.sealed`), never in a URL path (the slip's QR code puts
it after "#", which browsers do not send, and the entry page posts it) and never in the database (server sessions
would store it), so nothing on the server or in its logs ties a code to its ballots. A random device secret in a
second cookie binds a code, once it has cast, to that phone: any other phone holding the code (a dropped or
photographed slip) gets only "此评议码已使用", and after the close nobody gets marks back.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.core import ratelimit
from dianti.core.dbrouter import replica_reads
from dianti.core.devices import address_hash, device_identity, remember_device
from dianti.core.http import error_messages

from . import sealed, selectors, services
from .ballot_page import ballot_page
from .models import Meeting, Question

EVALUATOR_COOKIE = "dt_eval"
# The evaluator's device secret: its own cookie, so the code's binding cannot be matched with the hall pages' device
# id (which sign-in rows carry beside a name).
DEVICE_COOKIE = "dt_evdev"
COOKIE_AGE = 86400


@replica_reads
def public(request: HttpRequest, key: str) -> HttpResponse:
    meeting = selectors.public_meeting(key)
    raw, device_hash = device_identity(request)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("what") == "sign_in":
                services.attendance_sign_in(meeting=meeting, name=request.POST.get("name", ""),
                                            role=request.POST.get("role", ""), device_hash=device_hash)
            else:
                services.question_ask(meeting=meeting, text=request.POST.get("text", ""), device_hash=device_hash,
                                      asker=request.POST.get("asker", ""))
        except ValidationError as exc:
            error = "；".join(error_messages(exc))
        else:
            return remember_device(redirect("meeting_public", key=key), raw)
    signed_in = meeting.attendance.filter(device_hash=device_hash).exists()
    questions = meeting.questions.filter(status__in=[Question.Status.APPROVED, Question.Status.ANSWERED])
    # The asker sees their own questions still waiting for the moderator, so a silent page does not invite a resend.
    mine = meeting.questions.filter(device_hash=device_hash, status=Question.Status.PENDING) if device_hash else []
    response = render(request, "meetings/public.html", {
        "meeting": meeting, "item": meeting.current_item, "questions": questions.order_by("-pinned", "-votes")[:30],
        "mine": mine[:5], "error": error, "signed_in": signed_in}, status=400 if error else 200)
    return remember_device(response, raw)


@require_POST
def question_vote(request: HttpRequest, key: str, qid: int) -> HttpResponse:
    meeting = selectors.public_meeting(key)
    question = meeting.questions.filter(pk=qid, status__in=[Question.Status.APPROVED, Question.Status.ANSWERED]).first()
    if question is None:
        raise Http404("找不到该问题")
    raw, device_hash = device_identity(request)
    if ratelimit.allow("qvote", address_hash(request), 200, 3600):
        services.question_vote(question=question, device_hash=device_hash)
    return remember_device(redirect("meeting_public", key=key), raw)


def _device_secret(request: HttpRequest) -> str:
    """Return this phone's evaluator device secret (a new one if it has none): what binds a cast code to it."""
    return request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(24)


def _with_secret(response: HttpResponse, request: HttpRequest, secret: str) -> HttpResponse:
    if request.COOKIES.get(DEVICE_COOKIE) != secret:
        response.set_cookie(DEVICE_COOKIE, secret, max_age=7 * 86400, httponly=True, samesite="Lax",
                            secure=request.is_secure())
    return response


def _notice(request: HttpRequest, message: str, status: int, *, drop_code: bool = False) -> HttpResponse:
    """A plain message instead of the ballot: no group, no marks, no form."""
    response = render(request, "meetings/evaluator_notice.html", {"message": message, "refused": status >= 400},
                      status=status)
    if drop_code:
        response.delete_cookie(EVALUATOR_COOKIE)
    return response


def enter(request: HttpRequest) -> HttpResponse:
    """Take a code posted from the slip's QR code (the entry page reads it from the URL fragment) or typed in, keep
    it in an encrypted cookie, and open the ballot. There is no ``GET`` with the code: it would land in access logs."""
    code = services.normalize_code(request.POST.get("code", "")) if request.method == "POST" else ""
    if not code:
        return render(request, "meetings/evaluator_enter.html")
    # Only wrong codes count towards the limit: a whole hall scans its slips from behind one address.
    ip = address_hash(request)
    if ratelimit.exceeded("evaluator-enter", ip, 30):
        return render(request, "meetings/evaluator_enter.html", {"error": "尝试次数太多，请稍后再试"}, status=429)
    secret = _device_secret(request)
    try:
        services.evaluator_enter(code=code, device=secret)
    except (services.CodeUsed, services.VotingClosed) as exc:
        return _notice(request, exc.messages[0], 409, drop_code=True)
    except ValidationError as exc:
        ratelimit.allow("evaluator-enter", ip, 30, 600)
        return render(request, "meetings/evaluator_enter.html", {"error": "；".join(error_messages(exc)), "code": code},
                      status=400)
    response = redirect("evaluator_ballot")
    response.set_cookie(EVALUATOR_COOKIE, sealed.seal(code), max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=request.is_secure())
    return _with_secret(response, request, secret)


def code_in_path(request: HttpRequest, code: str) -> HttpResponse:
    """Answer a link with a code in its path (``/m/e/<CODE>/``) with "not found" and the entry form, opening nothing.

    Such links are never printed (slips carry the code after "#"), but one typed or shared by hand would otherwise
    write the code into Django's own log of 404s; the web server's access log is the operator's to keep clean.
    """
    response = render(request, "meetings/evaluator_enter.html", {
        "error": _("链接无效：请扫描评议码条上的二维码，或在下方输入评议码")}, status=404)
    response._has_been_logged = True  # type: ignore[attr-defined]  (django.utils.log: no "Not Found: <path>")
    return response


def _code(request: HttpRequest) -> str | None:
    token = request.COOKIES.get(EVALUATOR_COOKIE)
    return sealed.unseal(token, max_age=COOKIE_AGE) if token else None


def _score(text: str) -> int | None:
    """Return the whole number written in ``text``, or None when it is not one (at most 3 ASCII digits: "²" is a
    digit to str.isdigit() but not to int(), and 5,000 digits are beyond what int() will read)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


def _marks(request: HttpRequest, meeting: Meeting, agenda: Sequence[selectors.SheetRow]) -> tuple[dict[int, services.Mark], list[str]]:
    """Return the marks posted, by agenda item, and what the evaluator must correct (nothing is dropped silently)."""
    marks, errors = {}, []
    for item in agenda:
        grade = request.POST.get(f"grade_{item.pk}", "")
        scores = {}
        for name in meeting.items:
            text = request.POST.get(f"score_{item.pk}_{name}", "").strip()
            if text:
                value = _score(text)
                if value is None:
                    errors.append(_("第 %(n)d 位：“%(item)s”的分数应为 0 至 100 的整数") % {"n": item.order, "item": name})
                else:
                    scores[name] = value
        comment = request.POST.get(f"comment_{item.pk}", "")
        if grade:
            marks[item.pk] = services.Mark(grade, scores, comment)
        elif scores or comment.strip():
            errors.append(_("第 %(n)d 位：请先选择等次，分项打分和意见建议才能保存") % {"n": item.order})
    return marks, errors


def _as_posted(request: HttpRequest, meeting: Meeting, agenda: Sequence[selectors.SheetRow]) -> dict[int, SimpleNamespace]:
    """Return what was posted for each secretary, as the page shows a mark (grade, scores, comment); a secretary
    whose card posted nothing (locked after submitting) is left out."""
    return {item.pk: SimpleNamespace(
        grade=request.POST.get(f"grade_{item.pk}", ""), comment=request.POST.get(f"comment_{item.pk}", ""),
        scores={n: v for n in meeting.items if (v := request.POST.get(f"score_{item.pk}_{n}", "").strip()[:10])})
        for item in agenda if f"comment_{item.pk}" in request.POST or f"grade_{item.pk}" in request.POST}


def ballot(request: HttpRequest) -> HttpResponse:
    code = _code(request)
    if not code:
        return redirect("evaluator_enter_form")
    evaluator = selectors.evaluator_code(services.code_hash(code))
    if evaluator is None or evaluator.revoked:
        response = redirect("evaluator_enter_form")
        response.delete_cookie(EVALUATOR_COOKIE)
        return response
    meeting, secret = evaluator.meeting, _device_secret(request)
    if meeting.status == Meeting.Status.CLOSED:  # codes are dead: nobody reads a ballot back
        if request.method == "POST":
            return _notice(request, _("投票已截止，不能再提交"), 400)
        return _notice(request, _("投票已截止，谢谢您的参与。"), 200)
    if services.code_used_elsewhere(evaluator, secret):
        return _notice(request, str(services.CodeUsed().messages[0]), 409, drop_code=True)
    agenda = selectors.ballot_sheet(meeting)
    errors: list[str] = []
    stored: dict[int, services.Mark] = {}
    if request.method == "POST":
        marks, problems = _marks(request, meeting, agenda)
        try:
            if problems:
                raise ValidationError(problems)
            if not marks:
                raise ValidationError(_("请至少为一位书记选择等次"))
            stored = services.ballot_cast(meeting=meeting, code=code, marks=marks, device=secret, evaluator=evaluator)
        except services.CodeUsed as exc:
            return _notice(request, exc.messages[0], 409, drop_code=True)
        except ValidationError as exc:
            errors = error_messages(exc)
    saved = bool(stored)
    # A sheet that graded every secretary was just stored as it stands: nothing earlier is left to read back.
    mine = stored if len(stored) == len(agenda) else services.marks_for_device(evaluator, code, secret,
                                                                             [item.pk for item in agenda])
    # A refused ballot comes back as the evaluator filled it in, to be corrected rather than started again.
    shown = {**mine, **_as_posted(request, meeting, agenda)} if errors else mine
    response = ballot_page(request, meeting=meeting, group=evaluator.group, agenda=agenda, mine=mine, shown=shown,
                           errors=errors, saved=saved)
    return _with_secret(response, request, secret)
