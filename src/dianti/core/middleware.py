"""The project's middleware: language choice, security headers and cookie flags, and the request-size cap.

Language: Simplified Chinese unless the user picked another language with the switcher. Django's LocaleMiddleware
also follows the browser's Accept-Language, which would show a villager whose phone is set to English a
half-translated page; here only an explicit choice (the language cookie) changes the language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """Add the Permissions-Policy header, and make every cookie the application sets HttpOnly and SameSite — and
    Secure in production (``DIANTI_COOKIE_SECURE``) — whichever code set it, so a cookie added later cannot forget."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "DIANTI_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        secure = getattr(settings, "DIANTI_COOKIE_SECURE", False)
        for morsel in response.cookies.values():
            morsel["httponly"] = True
            if not morsel["samesite"]:
                morsel["samesite"] = "Lax"
            if secure:
                morsel["secure"] = True
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than ``DIANTI_MAX_REQUEST_BYTES`` with a 413 in plain Chinese, before
    any view or form reads it (Django's own limits only cover what it parses into memory)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cap = int(getattr(settings, "DIANTI_MAX_REQUEST_BYTES", 0) or 0)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if cap and length > cap:
            # Plain Chinese like the services' messages (the catalogue is refreshed with `make messages`).
            message = (f"提交的内容太大（{length / 1048576:.1f} MB），超过了 {cap / 1048576:.0f} MB 的上限。"
                       "请压缩照片或拆分文件后再试。")
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"  # the unread body must not be taken for the next request
            return response
        return self.get_response(request)


class NulByteMiddleware:
    """Refuse (400) an address or query string holding a NUL byte: never legitimate, and PostgreSQL refuses to store
    or even compare text with one, so a lookup such as ``/v/t/?code=%00`` would otherwise end in a server error.
    (Form fields are covered by Django's own validator.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in k or any("\x00" in v for v in vs)
                                           for k, vs in request.GET.lists()):
            message = _("地址中含有无效字符")
            if request.path.startswith("/api/"):  # the API's one error shape (dianti/api.py)
                return JsonResponse({"detail": message, "errors": [message]}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class OutOfRangeMiddleware:
    """Answer 404 when a number in the address does not fit the database (``/campaigns/99999999999999999999/``):
    SQLite raises OverflowError for integers past 64 bits, which must not become a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):
            raise Http404(_("找不到：地址中的编号超出范围")) from exception
        return None
