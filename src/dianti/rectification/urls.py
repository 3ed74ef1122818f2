from django.urls import path

from . import views

urlpatterns = [
    path("", views.case_list, name="rectification_list"),
    path("campaign/<int:campaign_id>/", views.campaign_cases, name="rectification_campaign"),
    path("open/<int:subject_id>/", views.case_open, name="rectification_open"),
    path("<int:pk>/", views.case_detail, name="rectification_case"),
    path("<int:pk>/edit/", views.case_edit, name="rectification_edit"),
    path("<int:pk>/timeline/", views.case_timeline, name="rectification_timeline"),
    path("<int:pk>/do/<str:name>/", views.case_action, name="rectification_action"),
    path("<int:pk>/commit/", views.commitment, name="rectification_commit"),
    path("<int:pk>/supervise/", views.supervise, name="rectification_supervise"),
    path("<int:pk>/notice.<str:fmt>", views.notice, name="rectification_notice"),
    path("measures/<int:measure_id>/progress/", views.progress, name="rectification_progress"),
    path("evidence/<int:pk>/", views.evidence_file, name="rectification_evidence"),
]
