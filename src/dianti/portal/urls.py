from django.urls import path

from . import views, views_data, views_record

urlpatterns = [
    path("", views.index, name="portal_index"),
    path("search/", views.search, name="portal_search"),
    path("o/<str:code>/", views.org, name="portal_org"),
    path("campaigns/", views.campaigns, name="portal_campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="portal_campaign"),
    path("orgs/<str:code>/", views_record.org_record, name="portal_record"),
    path("meetings/", views.meetings, name="portal_meetings"),
    path("rectification/", views.rectification, name="portal_rectification"),
    path("data/", views.data, name="portal_data"),
    path("data/<str:name>.<str:fmt>", views_data.download, name="portal_data_file"),
]
