"""URL patterns of this part of the Manager (included by manager/urls.py): the form
builder (standard fields, questions, consent purposes). Each has an entry in
``tests/tenancy_inventory.py``."""

from django.urls import URLPattern, path

from livesession.manager import builder

_EVENT = "<slug:client_slug>/events/<uuid:event_id>"
_QUESTION = f"{_EVENT}/questions/<int:field_id>"

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/form/", builder.client_form, name="client-form"),
    path(f"{_EVENT}/form/", builder.event_form, name="event-form"),
    path(f"{_EVENT}/form/reset/", builder.event_form_reset, name="event-form-reset"),
    path(f"{_EVENT}/questions/", builder.questions, name="questions"),
    path(f"{_QUESTION}/", builder.question_edit, name="question-edit"),
    path(f"{_QUESTION}/remove/", builder.question_remove, name="question-remove"),
    path(f"{_QUESTION}/move/", builder.question_move, name="question-move"),
    path("<slug:client_slug>/purposes/", builder.purposes, name="purposes"),
    path("<slug:client_slug>/purposes/<int:purpose_id>/deactivate/",
         builder.purpose_deactivate, name="purpose-deactivate"),
    path("<slug:client_slug>/purposes/<int:purpose_id>/reactivate/",
         builder.purpose_reactivate, name="purpose-reactivate"),
]
