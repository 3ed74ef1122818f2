"""Who may read what: each role reads what its work needs (PIPL's minimum necessary). Declared once, here.

:mod:`rules` says who may do a consequential *act*; this table says which *pages and API operations* each role may
open at all, keyed by URL name (``"meeting_detail"``, ``"api:results"``). The scope (:mod:`scope`) then narrows
each allowed page to the rows of the user's subtree, as before; this table is the coarser gate in front of it, so
that a role whose grants happen to cover a town (an evaluator, a point's staff) cannot read the town's people,
minutes or scores just because the rows are in its subtree.

What each role's work needs:

``county_admin``, ``town_admin``  run the cycle: everything in their subtree.
``approver``     approves lists, results and star grades: the campaigns, results and assessments it decides on —
                 not people lists, opinions, minutes or rectification files.
``secretary``    reports: their own campaigns and topic, their own agenda item and report, their own result, and
                 their own rectification case (the selectors narrow each to their own subject).
``point_staff``  relay opinions and supervise rectification: the entry page and the opinions of the organizations
                 their points serve, and the cases they supervise — not people lists, minutes or scores.
``evaluator``    scores at a meeting through the ballot pages, which are public (the code is the key): nothing
                 staff-only.

Pseudo-roles: ``anyone`` (no login needed) and ``signed_in`` (any login, with or without a role). A superuser reads
everything. :class:`ReadRulesMiddleware` consults the table for every request to a named URL, and the API's token
authentication does the same for scripts; a URL name missing from the table is refused (fail closed) and fails
``core/tests/test_reads_matrix.py``, which walks every URL pattern and API operation for every named role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ANYONE = "anyone"
SIGNED_IN = "signed_in"
COUNTY, TOWN, APPROVER = "county_admin", "town_admin", "approver"
SECRETARY, POINT, EVALUATOR = "secretary", "point_staff", "evaluator"

ADMINS = frozenset({COUNTY, TOWN})
OVERSIGHT = ADMINS | {APPROVER}  # the decisions: campaigns, results, assessments
EVERYONE = frozenset({ANYONE})
LOGGED_IN = frozenset({SIGNED_IN})


def _r(*roles: str | frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for r in roles:
        out |= {r} if isinstance(r, str) else set(r)
    return frozenset(out)


READS: dict[str, frozenset[str]] = {
    # The kernel: sign-in, language, the home page and one's own notifications and jobs.
    "healthz": EVERYONE, "readyz": EVERYONE, "favicon": EVERYONE, "login": EVERYONE, "logout": EVERYONE, "set_language": EVERYONE,
    "home": LOGGED_IN, "todo_nav": LOGGED_IN, "notifications": LOGGED_IN,
    "job_detail": LOGGED_IN, "job_file": LOGGED_IN,  # a job is its starter's only
    "exports": LOGGED_IN,  # lists only the exports the person may read
    "otp_verify": LOGGED_IN, "otp_enrol": LOGGED_IN, "password_change": LOGGED_IN,  # one's own account
    "api_tokens": LOGGED_IN, "api_token_revoke": LOGGED_IN,  # one's own API tokens (tokens.may_hold_tokens)
    "audit_log": ADMINS, "event_failures": ADMINS, "event_retry": ADMINS,  # follow-ups that failed, in their tree
    # Messages sent by SMS, WeChat … to people of their tree: names and masked contacts, the provider's answer.
    "outbound_list": ADMINS, "outbound_batch": ADMINS, "outbound_resend": ADMINS,
    "outbound_receipt": EVERYONE,  # the SMS providers' delivery receipts: the URL's secret token is the key
    # Organizations and people: the admins' register. People lists carry names and phones.
    "org_tree": OVERSIGHT, "org_search": OVERSIGHT, "org_detail": OVERSIGHT, "org_children": OVERSIGHT,
    "org_import": ADMINS, "org_import_template": ADMINS, "org_export": ADMINS,
    "people_list": ADMINS, "person_detail": ADMINS, "person_channel": ADMINS,
    "my_channels": LOGGED_IN,  # one's own channels: opt out, confirm one's own contact
    # 党委点名 and the topic: the convener's work; the approver decides on the list; a secretary sees their own.
    "campaign_list": OVERSIGHT, "campaign_detail": OVERSIGHT, "campaign_list_action": OVERSIGHT,
    "campaign_phase": OVERSIGHT,
    "campaign_create": ADMINS, "campaign_edit": ADMINS, "campaigns_export": ADMINS, "subjects_choose": ADMINS,
    "subjects_export": ADMINS, "subject_edit": ADMINS, "subject_topic": ADMINS,
    "responsibility_import": ADMINS, "responsibility_list": ADMINS,
    "my_campaigns": LOGGED_IN,  # lists only the subjects whose secretary is the user, whatever their grants
    # A secretary's record over the years (履职档案): one's own; a person's and an organization's in one's subtree.
    "record_mine": LOGGED_IN, "record_person": OVERSIGHT, "record_org": OVERSIGHT,
    # The public portal and the public phone pages: no login, no personal data.
    "portal_index": EVERYONE, "portal_campaign": EVERYONE, "portal_campaigns": EVERYONE, "portal_search": EVERYONE,
    "portal_org": EVERYONE, "portal_meetings": EVERYONE, "portal_rectification": EVERYONE, "portal_data": EVERYONE,
    "portal_data_file": EVERYONE, "portal_record": EVERYONE,
    "voices_track_lookup": EVERYONE, "voices_track": EVERYONE, "voices_support": EVERYONE,
    "voices_public": EVERYONE, "rectification_observe": EVERYONE,
    "meeting_public": EVERYONE, "meeting_question_vote": EVERYONE,
    "evaluator_ballot": EVERYONE, "evaluator_enter_form": EVERYONE, "evaluator_enter": EVERYONE,
    # 群众点题: the admins sort; point staff relay and read the opinions of the organizations their points serve.
    "voices_queue": _r(ADMINS, POINT), "voices_record": _r(ADMINS, POINT),
    "voices_record_state": _r(ADMINS, POINT), "voices_record_sync": _r(ADMINS, POINT),
    "voices_sw": EVERYONE, "voices_manifest": EVERYONE,  # the recording app's shell: no data in either
    "voices_point_poster": _r(ADMINS, POINT),
    "voices_queue_action": ADMINS, "voices_import": ADMINS, "voices_poster": ADMINS, "voices_workbench": ADMINS,
    "voices_workbench_places": ADMINS, "heat_scheme_edit": ADMINS,
    "voices_phone_codes_edit": ADMINS,
    "voices_mine": ADMINS, "voices_assign": ADMINS, "voices_topic_action": ADMINS,
    # 述职会: the convener runs it; a secretary sees their agenda item and uploads their report.
    "meeting_list": _r(ADMINS, SECRETARY), "meeting_report": _r(ADMINS, SECRETARY),
    "meeting_schedule": ADMINS, "meeting_detail": ADMINS, "meeting_action": ADMINS, "meeting_codes": ADMINS,
    "meeting_paper_pdf": ADMINS, "meeting_paper_entry": ADMINS, "meeting_paper_resolve": ADMINS,
    "meeting_question": ADMINS, "meeting_minutes": ADMINS, "meeting_screen": ADMINS,
    "meeting_scans": ADMINS, "meeting_scans_upload": ADMINS, "meeting_scan_confirm": ADMINS,
    "meeting_scan_discard": ADMINS, "meeting_scan_image": ADMINS, "meeting_scan_upright": ADMINS, "meeting_rehearsal_start": ADMINS,
    "meeting_rehearsal_wipe": ADMINS,
    # 评 and 考: results and scores for those who decide on them; a secretary reads their own result.
    "appraisal_index": OVERSIGHT, "appraisal_campaign": OVERSIGHT, "appraisal_campaign_action": OVERSIGHT,
    "appraisal_campaign_export": OVERSIGHT, "appraisal_meeting": OVERSIGHT, "appraisal_meeting_export": OVERSIGHT,
    "appraisal_subject": _r(OVERSIGHT, SECRETARY), "appraisal_withdraw": OVERSIGHT,
    "appraisal_proposals": ADMINS, "appraisal_proposal_decide": ADMINS,
    "appraisal_schemes": OVERSIGHT, "appraisal_scheme": OVERSIGHT, "appraisal_scheme_new": ADMINS,
    "appraisal_scheme_edit": ADMINS,
    "appraisal_annual": OVERSIGHT, "appraisal_annual_org": OVERSIGHT, "appraisal_annual_confirm": OVERSIGHT,
    "appraisal_annual_import": ADMINS, "appraisal_annual_compute": ADMINS,
    # 整改: the issuing committee; the secretary answers their own case; point staff supervise theirs.
    "rectification_list": _r(ADMINS, SECRETARY, POINT), "rectification_case": _r(ADMINS, SECRETARY, POINT),
    "rectification_timeline": _r(ADMINS, SECRETARY, POINT), "rectification_action": _r(ADMINS, SECRETARY),
    "rectification_commit": _r(ADMINS, SECRETARY), "rectification_progress": _r(ADMINS, SECRETARY),
    "rectification_notice": _r(ADMINS, SECRETARY), "rectification_evidence": _r(ADMINS, SECRETARY, POINT),
    "rectification_supervise": _r(ADMINS, POINT),
    "rectification_campaign": ADMINS, "rectification_open": ADMINS, "rectification_edit": ADMINS,
    # 年度数据: the year in figures and the annual report, for those who run and decide on the cycle (counts only).
    "dashboard": OVERSIGHT, "dashboard_org": OVERSIGHT, "dashboard_report": OVERSIGHT,
    # The API (/api/v1/): the same needs, for scripts with a token or the browser session. A path's operations
    # share its URL name (django-ninja names a path after its first operation): a write on a read's path is gated
    # here like the read, and its service then checks the act (core/rules.py, the permissions modules).
    "api:api-root": EVERYONE, "api:subtree_stats": EVERYONE, "api:rules_table": EVERYONE,
    "api:openapi-json": OVERSIGHT, "api:openapi-view": OVERSIGHT,
    "api:me": LOGGED_IN, "api:notification_list": LOGGED_IN, "api:notifications_read": LOGGED_IN,
    "api:job_list": LOGGED_IN, "api:job_status": LOGGED_IN,  # a job is its starter's only
    "api:audit_list": ADMINS,
    "api:tree": OVERSIGHT, "api:search": OVERSIGHT, "api:detail": OVERSIGHT, "api:members": OVERSIGHT,
    "api:people": ADMINS, "api:person": ADMINS, "api:import_file": ADMINS,
    "api:person_channels": ADMINS, "api:person_channel_act": ADMINS,
    "api:outbound_list": ADMINS, "api:outbound_resend": ADMINS,
    "api:campaign_list": OVERSIGHT, "api:campaign_detail": OVERSIGHT, "api:list_act": OVERSIGHT,
    "api:phase_act": OVERSIGHT, "api:subject_list": OVERSIGHT, "api:subject_edit": ADMINS,
    "api:my_subjects": LOGGED_IN,  # only the subjects whose secretary is the user
    "api:responsibility_list": ADMINS, "api:responsibility_import": ADMINS,
    "api:opinions": _r(ADMINS, POINT), "api:opinion_detail": _r(ADMINS, POINT), "api:topics": ADMINS,
    "api:workbench": ADMINS, "api:opinions_act": ADMINS, "api:opinions_import": ADMINS, "api:topic_assign": ADMINS,
    "api:topics_mine": ADMINS, "api:topic_act": ADMINS,
    "api:meetings": ADMINS, "api:meeting_detail": ADMINS, "api:results": OVERSIGHT,
    "api:my_items": _r(ADMINS, SECRETARY), "api:meeting_act": ADMINS, "api:question_moderate": ADMINS,
    "api:report_upload": _r(ADMINS, SECRETARY),
    "api:campaign_results": OVERSIGHT, "api:meeting_results": OVERSIGHT,
    "api:subject_result": _r(OVERSIGHT, SECRETARY), "api:proposals": ADMINS, "api:assessment": OVERSIGHT,
    "api:assessment_history": OVERSIGHT, "api:results_act": OVERSIGHT, "api:result_withdraw": OVERSIGHT,
    "api:proposal_act": ADMINS, "api:assessment_confirm": OVERSIGHT,
    "api:schemes": OVERSIGHT, "api:scheme": OVERSIGHT, "api:campaign_scheme": ADMINS,
    "api:assessment_compute": ADMINS, "api:assessment_import": ADMINS,
    "api:cases": _r(ADMINS, SECRETARY, POINT), "api:case": _r(ADMINS, SECRETARY, POINT),
    "api:case_move": _r(ADMINS, SECRETARY), "api:cases_open": ADMINS,
    "api:commitment": _r(ADMINS, SECRETARY), "api:progress": _r(ADMINS, SECRETARY),
    "api:supervise": _r(ADMINS, POINT),
    "api:dashboard_figures": OVERSIGHT,
}

# Whole namespaces with their own gate: Django's admin checks is_staff and model permissions itself.
NAMESPACES: dict[str, frozenset[str]] = {"admin": EVERYONE}

# API URLs that are not operations (no token authentication runs there), so the middleware must check them.
API_PAGES = frozenset({"api:api-root", "api:openapi-json", "api:openapi-view"})


def roles_of(user: Any) -> frozenset[str]:
    """Return the read roles of ``user``: their granted roles plus the pseudo-roles that apply."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset({ANYONE})
    from .scope import scope_for

    return frozenset({ANYONE, SIGNED_IN}) | scope_for(user).roles


def allowed_roles(name: str) -> frozenset[str] | None:
    """Return the roles that may open the URL named ``name`` (``namespace:name``), or None when undeclared."""
    if name in READS:
        return READS[name]
    namespace = name.split(":", 1)[0] if ":" in name else ""
    return NAMESPACES.get(namespace)


def may_read(user: Any, name: str) -> bool:
    """Return whether ``user`` may open the URL named ``name``; an undeclared name is refused."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    allowed = allowed_roles(name)
    return allowed is not None and bool(allowed & roles_of(user))


def ensure(user: Any, name: str) -> None:
    """Raise PermissionDenied (a 403) unless ``user`` may open the URL named ``name``."""
    if not may_read(user, name):
        raise PermissionDenied("您的角色无权查看此内容" if allowed_roles(name) is not None
                               else "此页面尚未声明可以查看的角色（core/reads.py），暂不开放")


def _bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _token_user(request: HttpRequest) -> Any:
    """Return the user the request's bearer token speaks for, or None (the reason kept for the answer)."""
    from .tokens import TokenRefused, user_for_token

    try:
        return user_for_token(request.headers["Authorization"].split(" ", 1)[1].strip())
    except TokenRefused as exc:
        request._dianti_token_refused = str(exc)  # type: ignore[attr-defined]
        return None


def _token_refused(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse

    reason = getattr(request, "_dianti_token_refused", "")
    return JsonResponse({"detail": reason, "errors": []}, status=401, json_dumps_params={"ensure_ascii": False})


class ReadRulesMiddleware:
    """Refuse a request to a page the user's roles may not read: the sign-in page for a visitor who has not signed
    in, 403 for a signed-in user. API operations are left to the API's authentication, which knows the token's
    user (see ``core/api.py``); the API's own pages (schema, docs) are checked here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if getattr(view, "reads_exempt", False):
            return None  # a view that says so, like csrf_exempt: only the benchmark's baseline view
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if not name:
            return None  # unnamed URLs: static files in development
        if name.startswith("api:") and name not in API_PAGES:
            return None  # the operation's authentication checks (and a visitor gets 401 there)
        user = getattr(request, "user", None)
        if name in API_PAGES and _bearer(request):  # a script reading the schema with its token
            user = _token_user(request)
            if user is None:
                return _token_refused(request)
            request.user = user
        if may_read(user, name):
            return None
        if not getattr(user, "is_authenticated", False) and not name.startswith("api:"):
            return redirect_to_login(request.get_full_path())
        ensure(user, name)
        return None
