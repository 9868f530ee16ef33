"""Manager routes for issue 4 (messages); added to manager/urls.py."""

from django.urls import path

from livesession.manager import messages

urlpatterns = [
    path("<slug:client_slug>/messages/", messages.template_list, name="message-templates"),
    # The kind and language travel as parameters (?kind=…&language=…): they name no object
    # of the client, only which of its texts to edit.
    path("<slug:client_slug>/messages/template/", messages.template_edit,
         name="message-template"),
    path("<slug:client_slug>/events/<uuid:event_id>/messages/", messages.event_messages,
         name="event-messages"),
    path("<slug:client_slug>/events/<uuid:event_id>/messages/settings/",
         messages.event_message_settings, name="event-message-settings"),
    path("<slug:client_slug>/events/<uuid:event_id>/messages/send/",
         messages.event_message_send, name="event-message-send"),
]
