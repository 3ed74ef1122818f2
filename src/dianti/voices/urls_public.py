"""Public phone pages of 群众点题 (no login): the QR opinion page, "我也关心" and the tracking page."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("t/", views_public.track, name="voices_track_lookup"),
    path("t/<str:code>/", views_public.track, name="voices_track"),
    path("support/<str:kind>/<int:pk>/", views_public.support, name="voices_support"),
    path("<str:code>/", views_public.org_page, name="voices_public"),
]
