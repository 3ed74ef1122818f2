from django.urls import path

from . import views, views_record

urlpatterns = [
    path("", views.index, name="portal_index"),
    path("campaigns/<int:pk>/", views.campaign, name="portal_campaign"),
    path("orgs/<str:code>/", views_record.org_record, name="portal_record"),
]
