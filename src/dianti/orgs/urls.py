from django.urls import path

from . import views

urlpatterns = [
    path("", views.tree, name="org_tree"),
    path("search/", views.search, name="org_search"),
    path("import/", views.import_upload, name="org_import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="org_import_template"),
    path("export.xlsx", views.export_orgs, name="org_export"),
    path("people/", views.people_list, name="people_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/channels/", views.person_channel, name="person_channel"),
    path("me/channels/", views.my_channels, name="my_channels"),
    path("<str:code>/", views.org_detail, name="org_detail"),
    path("<str:code>/children/", views.tree_children, name="org_children"),
]
