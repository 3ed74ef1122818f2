"""The HTTP API under /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json). Each app adds its router."""

from ninja import NinjaAPI

from dianti.campaigns.api import router as campaigns_router
from dianti.core.api import router as core_router
from dianti.orgs.api import router as orgs_router

api = NinjaAPI(title="点题述职 API", version="1", urls_namespace="api")
api.add_router("", core_router)
api.add_router("/orgs", orgs_router)
api.add_router("/campaigns", campaigns_router)
