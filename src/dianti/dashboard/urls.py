from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<str:code>/", views.dashboard, name="dashboard_org"),
    path("<str:code>/report/", views.report, name="dashboard_report"),
]
