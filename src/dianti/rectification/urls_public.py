"""Public page of 整改 (no login): an observation point's report on a case."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("<str:code>/", views_public.observe, name="rectification_observe"),
]
