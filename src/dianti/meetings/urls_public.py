"""Public pages of 述职会 (no login): the evaluator's ballot and the meeting's own page for questions."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("e/", views_public.ballot, name="evaluator_ballot"),
    path("e/code/", views_public.enter, name="evaluator_enter_form"),
    path("e/<str:code>/", views_public.code_in_path, name="evaluator_enter"),  # opens nothing: no code in a URL path
    path("<str:key>/", views_public.public, name="meeting_public"),
    path("<str:key>/q/<int:qid>/vote/", views_public.question_vote, name="meeting_question_vote"),
]
