from django.urls import path

from . import views, views_annual, views_review, views_schemes

urlpatterns = [
    path("", views.index, name="appraisal_index"),
    path("campaigns/<int:pk>/", views.campaign_results, name="appraisal_campaign"),
    path("campaigns/<int:pk>/do/<str:name>/", views.campaign_action, name="appraisal_campaign_action"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="appraisal_campaign_export"),
    path("meetings/<int:pk>/", views.meeting_results, name="appraisal_meeting"),
    path("meetings/<int:pk>/export.xlsx", views.meeting_export, name="appraisal_meeting_export"),
    path("subjects/<int:pk>/", views.subject_result, name="appraisal_subject"),
    path("proposals/", views.proposal_list, name="appraisal_proposals"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="appraisal_proposal_decide"),
    path("schemes/", views_schemes.scheme_list, name="appraisal_schemes"),
    path("schemes/new/", views_schemes.scheme_new, name="appraisal_scheme_new"),
    path("schemes/<str:key>/", views_schemes.scheme_detail, name="appraisal_scheme"),
    path("schemes/<str:key>/edit/", views_schemes.scheme_edit, name="appraisal_scheme_edit"),
    path("assessment/", views_annual.annual_list, name="appraisal_annual"),
    path("assessment/import/", views_annual.annual_import, name="appraisal_annual_import"),
    path("subjects/<int:pk>/withdraw/", views_review.result_withdraw, name="appraisal_withdraw"),
    path("assessment/confirm/", views_review.annual_confirm, name="appraisal_annual_confirm"),
    path("assessment/compute/", views_annual.annual_compute, name="appraisal_annual_compute"),
    path("assessment/orgs/<str:code>/", views_annual.annual_org, name="appraisal_annual_org"),
]
