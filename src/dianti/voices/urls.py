from django.urls import path

from . import views, views_offline, views_topics, views_verify

urlpatterns = [
    path("", views.queue, name="voices_queue"),
    path("action/", views.queue_action, name="voices_queue_action"),
    path("new/", views.record, name="voices_record"),
    path("new/state/", views_offline.record_state, name="voices_record_state"),
    path("new/sync/", views_offline.record_sync, name="voices_record_sync"),
    path("new/sw.js", views_offline.service_worker, name="voices_sw"),
    path("new/manifest.webmanifest", views_offline.manifest, name="voices_manifest"),
    path("import/", views_topics.import_upload, name="voices_import"),
    path("poster/<str:code>.pdf", views_topics.poster, name="voices_poster"),
    path("poster/point/<int:pk>.pdf", views_topics.point_poster, name="voices_point_poster"),
    path("subjects/<int:subject_id>/", views.workbench, name="voices_workbench"),
    path("subjects/<int:subject_id>/places/", views.workbench_places, name="voices_workbench_places"),
    path("subjects/<int:subject_id>/mine/", views_topics.mine, name="voices_mine"),
    path("subjects/<int:subject_id>/assign/", views_topics.assign, name="voices_assign"),
    path("topics/<int:pk>/", views_topics.topic_action, name="voices_topic_action"),
    path("verification/<str:code>/", views_verify.phone_codes_edit, name="voices_phone_codes_edit"),
]
