"""API routes of a client's participants as persons, and the participant's own export and
erasure (issue 5 §9, §11)."""

from django.urls import URLPattern, path

from livesession.api import views_people as views

urlpatterns: list[URLPattern] = [
    path("people/search", views.PersonSearch.as_view(), name="people-search"),
    path("people/<uuid:subject_id>", views.PersonDetail.as_view(), name="person"),
    path("people/<uuid:subject_id>/export", views.PersonExport.as_view(), name="person-export"),
    path("people/<uuid:subject_id>/restrict", views.PersonRestriction.as_view(restrict=True),
         name="person-restrict"),
    path("people/<uuid:subject_id>/lift", views.PersonRestriction.as_view(restrict=False),
         name="person-lift"),
    path("people/<uuid:subject_id>/erase", views.PersonErase.as_view(), name="person-erase"),
    path("me/export", views.MeExport.as_view(), name="me-export"),
    path("me/erase", views.MeErase.as_view(), name="me-erase"),
]
