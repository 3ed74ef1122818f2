from django.urls import path

from . import views, views_scans

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/<int:campaign_id>/", views.schedule, name="meeting_schedule"),
    path("<int:pk>/", views.detail, name="meeting_detail"),
    path("<int:pk>/do/<str:name>/", views.action, name="meeting_action"),
    path("<int:pk>/codes.pdf", views.codes, name="meeting_codes"),
    path("<int:pk>/paper.pdf", views.paper_ballots, name="meeting_paper_pdf"),
    path("<int:pk>/paper/", views.paper_entry, name="meeting_paper_entry"),
    path("<int:pk>/paper/<int:serial>/resolve/", views.paper_resolve, name="meeting_paper_resolve"),
    path("<int:pk>/scans/", views_scans.scans_page, name="meeting_scans"),
    path("<int:pk>/scans/upload/", views_scans.scans_upload, name="meeting_scans_upload"),
    path("<int:pk>/scans/confirm/", views_scans.scan_confirm, name="meeting_scan_confirm"),
    path("<int:pk>/scans/<int:scan_id>/discard/", views_scans.scan_discard, name="meeting_scan_discard"),
    path("<int:pk>/scans/<int:scan_id>.jpg", views_scans.scan_image, name="meeting_scan_image"),
    path("<int:pk>/scans/<int:scan_id>/upright.jpg", views_scans.scan_upright, name="meeting_scan_upright"),
    path("<int:pk>/rehearsal/start/", views_scans.rehearsal_start, name="meeting_rehearsal_start"),
    path("<int:pk>/rehearsal/wipe/", views_scans.rehearsal_wipe, name="meeting_rehearsal_wipe"),
    path("<int:pk>/questions/<int:qid>/", views.question_moderate, name="meeting_question"),
    path("<int:pk>/minutes.docx", views.minutes, name="meeting_minutes"),
    path("<int:pk>/screen/", views.screen, name="meeting_screen"),
    path("items/<int:item_id>/report/", views.report_upload, name="meeting_report"),
]
