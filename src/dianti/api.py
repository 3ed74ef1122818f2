"""The HTTP API under /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json). Each step of the cycle adds its
router through its component."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Swagger

from dianti.core.api import router as core_router
from dianti.core.components import components
from dianti.core.http import error_messages

# Swagger UI from the files django-ninja ships ("ninja" is an installed app), never from a public CDN: a county's
# network may not reach one, and a page that loads script from elsewhere runs whatever that host serves. No
# validator badge either (it would send the schema to validator.swagger.io).
api = NinjaAPI(title="点题述职 API", version="1", urls_namespace="api", docs=Swagger(settings={"validatorUrl": None}))
api.add_router("", core_router)
for component in components():  # each step's router, declared by its component (core/components.py)
    if component.api is not None:
        api.add_router(component.api_prefix, import_string(component.api))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Every API 404 answers with the selector's own reason, in the user's language."""
    return api.create_response(request, {"detail": str(exc) or "找不到"}, status=404)


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """A rule of core/rules.py refused: 403 with the sentence that names who may. (Out of scope is not this: an
    OutOfScope is an Http404 first, answered above like a missing id.)"""
    return api.create_response(request, {"detail": str(exc) or "您无权办理"}, status=403)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service refused the input or the state: 422 with every message, in the user's language."""
    messages = error_messages(exc)
    return api.create_response(request, {"detail": "；".join(messages), "errors": messages}, status=422)


@api.exception_handler(OverflowError)
def out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number past what the database holds (SQLite: 64 bits) finds nothing: 404, not a server error."""
    return api.create_response(request, {"detail": "找不到：编号超出范围"}, status=404)
