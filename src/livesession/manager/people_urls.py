"""Manager routes for a client's participants as persons (issue 5 §9): find, export, rectify,
restrict, erase."""

from django.urls import URLPattern, path

from livesession.manager import people as views

_BASE = "<slug:client_slug>/people/"
_ONE = _BASE + "<uuid:subject_id>/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.people, name="people"),
    path(_ONE, views.person, name="person"),
    path(_ONE + "export/", views.person_export, name="person-export"),
    path(_ONE + "registrations/<uuid:registration_id>/edit/", views.person_rectify,
         name="person-rectify"),
    path(_ONE + "restrict/", views.person_restrict, name="person-restrict"),
    path(_ONE + "lift/", views.person_lift, name="person-lift"),
    path(_ONE + "erase/", views.person_erase, name="person-erase"),
]
