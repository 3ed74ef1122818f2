"""The phone pages of the meeting hall: attendees ask and upvote questions and sign in; evaluators score.

The evaluator's code travels in a signed cookie, never in the URL after the first scan and never in the database
(server sessions would store it), so nothing on the server ties a code to its ballots.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dianti.core import ratelimit
from dianti.core.http import error_messages
from dianti.voices.views_public import _device, _ip, _with_device

from . import selectors, services
from .models import Ballot, EvaluatorCode, Meeting, Question

EVALUATOR_COOKIE = "dt_eval"
COOKIE_SALT = "dianti.meetings.evaluator"


def public(request: HttpRequest, key: str) -> HttpResponse:
    meeting = selectors.public_meeting(key)
    raw, device_hash = _device(request)
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
            return _with_device(redirect("meeting_public", key=key), raw)
    signed_in = meeting.attendance.filter(device_hash=device_hash).exists()
    questions = meeting.questions.filter(status__in=[Question.Status.APPROVED, Question.Status.ANSWERED])
    # The asker sees their own questions still waiting for the moderator, so a silent page does not invite a resend.
    mine = meeting.questions.filter(device_hash=device_hash, status=Question.Status.PENDING) if device_hash else []
    response = render(request, "meetings/public.html", {
        "meeting": meeting, "item": meeting.current_item, "questions": questions.order_by("-pinned", "-votes")[:30],
        "mine": mine[:5], "error": error, "signed_in": signed_in}, status=400 if error else 200)
    return _with_device(response, raw)


@require_POST
def question_vote(request: HttpRequest, key: str, qid: int) -> HttpResponse:
    meeting = selectors.public_meeting(key)
    question = meeting.questions.filter(pk=qid, status__in=[Question.Status.APPROVED, Question.Status.ANSWERED]).first()
    if question is None:
        raise Http404("找不到该问题")
    raw, device_hash = _device(request)
    if ratelimit.allow("qvote", _ip(request), 200, 3600):
        services.question_vote(question=question, device_hash=device_hash)
    return _with_device(redirect("meeting_public", key=key), raw)


def enter(request: HttpRequest, code: str = "") -> HttpResponse:
    """Take a code from the slip's QR code (or typed in), keep it in a signed cookie, and open the ballot."""
    code = services.normalize_code(code or request.POST.get("code", ""))
    if not code:
        return render(request, "meetings/evaluator_enter.html")
    # Only wrong codes count towards the limit: a whole hall scans its slips from behind one address.
    ip = _ip(request)
    if ratelimit.exceeded("evaluator-enter", ip, 30):
        return render(request, "meetings/evaluator_enter.html", {"error": "尝试次数太多，请稍后再试"}, status=429)
    try:
        services.evaluator_enter(code=code)
    except ValidationError as exc:
        ratelimit.allow("evaluator-enter", ip, 30, 600)
        return render(request, "meetings/evaluator_enter.html", {"error": "；".join(error_messages(exc)), "code": code},
                      status=400)
    response = redirect("evaluator_ballot")
    response.set_signed_cookie(EVALUATOR_COOKIE, code, salt=COOKIE_SALT, max_age=86400, httponly=True,
                               samesite="Lax", secure=request.is_secure())
    return response


def _code(request: HttpRequest) -> str | None:
    try:
        return request.get_signed_cookie(EVALUATOR_COOKIE, salt=COOKIE_SALT, max_age=86400)
    except (KeyError, signing.BadSignature):
        return None


def ballot(request: HttpRequest) -> HttpResponse:
    code = _code(request)
    if not code:
        return redirect("evaluator_enter_form")
    evaluator = EvaluatorCode.objects.filter(code_hash=services.code_hash(code)).select_related(
        "meeting", "group").first()
    if evaluator is None or evaluator.revoked:
        response = redirect("evaluator_enter_form")
        response.delete_cookie(EVALUATOR_COOKIE)
        return response
    meeting = evaluator.meeting
    agenda = list(selectors.agenda(meeting))
    errors: list[str] = []
    saved = False
    if request.method == "POST":
        marks = {}
        for item in agenda:
            grade = request.POST.get(f"grade_{item.pk}", "")
            if grade:  # ascii: "²" is a digit to str.isdigit() but not to int()
                scores = {name: int(v) for name in meeting.items
                          if (v := request.POST.get(f"score_{item.pk}_{name}", "")).isascii() and v.isdigit()}
                marks[item.pk] = services.Mark(grade, scores, request.POST.get(f"comment_{item.pk}", ""))
        if not marks:
            errors = ["请至少为一位书记选择等次"]
        else:
            try:
                services.ballot_submit(meeting=meeting, code=code, marks=marks)
                saved = True
            except ValidationError as exc:
                errors = error_messages(exc)
    tokens = {services.ballot_token(code, item.pk): item.pk for item in agenda}
    mine = {tokens[b.token]: b for b in Ballot.objects.filter(token__in=list(tokens))}
    return render(request, "meetings/evaluator.html", {
        "meeting": meeting, "group": evaluator.group, "rows": [(item, mine.get(item.pk)) for item in agenda],
        "errors": errors, "saved": saved, "open": meeting.status == Meeting.Status.OPEN,
        "done": len(mine), "total": len(agenda)}, status=400 if errors else 200)
