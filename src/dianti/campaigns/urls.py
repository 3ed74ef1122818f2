from django.urls import path

from . import views, views_heat, views_record

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("mine/", views.my_campaigns, name="my_campaigns"),
    path("record/", views_record.record_mine, name="record_mine"),
    path("record/people/<int:pk>/", views_record.record_person, name="record_person"),
    path("record/orgs/<str:code>/", views_record.record_org, name="record_org"),
    path("export.xlsx", views.campaigns_export, name="campaigns_export"),
    path("heat/<str:code>/", views_heat.heat_scheme_edit, name="heat_scheme_edit"),
    path("responsibilities/import/", views.responsibility_import, name="responsibility_import"),
    path("responsibilities/<str:code>/", views.responsibility_list, name="responsibility_list"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/choose/", views.subjects_choose, name="subjects_choose"),
    path("<int:pk>/list/<str:action>/", views.list_action, name="campaign_list_action"),
    path("<int:pk>/phase/", views.phase_move, name="campaign_phase"),
    path("<int:pk>/export.xlsx", views.subjects_export, name="subjects_export"),
    path("<int:pk>/subjects/<int:sid>/", views.subject_edit, name="subject_edit"),
    path("<int:pk>/subjects/<int:sid>/topic/", views.subject_topic, name="subject_topic"),
]
