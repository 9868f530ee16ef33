"""Manager routes of the sub-processor register and the clients' objections (issue 6 §4)."""

from django.urls import URLPattern, path

from livesession.processors import manager_views as processors

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/subprocessors/", processors.register, name="subprocessors"),
    # The notice is named in the form, not the URL: notices are the platform's, sent to
    # every client, so no URL carries an id that a client could mistake for its own object.
    path("<slug:client_slug>/subprocessors/object/", processors.object_view,
         name="subprocessor-object"),
    path("<slug:client_slug>/subprocessors/withdraw/", processors.withdraw_view,
         name="subprocessor-withdraw"),
]
