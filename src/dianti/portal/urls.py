from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="portal_index"),
    path("campaigns/<int:pk>/", views.campaign, name="portal_campaign"),
]
