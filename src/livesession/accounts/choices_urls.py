"""Personal-space routes for rectification, restriction, objection and consents (issue 5
§2-§4); mounted under /me/."""

from django.urls import URLPattern, path

from livesession.accounts import choices_views

urlpatterns: list[URLPattern] = [
    path("choices/", choices_views.choices, name="choices"),
    path("registrations/<uuid:registration_id>/edit/", choices_views.registration_edit,
         name="registration-edit"),
]
