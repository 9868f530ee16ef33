from django.urls import path

from livesession.manager import views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:client_slug>/", views.event_list, name="events"),
    path("<slug:client_slug>/events/new/", views.event_create, name="event-create"),
    path("<slug:client_slug>/events/<uuid:event_id>/", views.event_detail, name="event"),
    path("<slug:client_slug>/events/<uuid:event_id>/edit/", views.event_edit,
         name="event-edit"),
    path("<slug:client_slug>/events/<uuid:event_id>/publish/", views.event_publish,
         name="event-publish"),
    path("<slug:client_slug>/tokens/", views.tokens, name="tokens"),
    path("<slug:client_slug>/tokens/<int:token_id>/revoke/", views.token_revoke,
         name="token-revoke"),
]

# Registrants (list, actions, import, export) and form shaping (scope, questions,
# purposes) live in their own modules; their routes are added here.
from livesession.manager import (  # noqa: E402
    access_urls,
    builder_urls,
    choices_urls,
    desk_urls,
    messages_urls,
    people_urls,
    registrants_urls,
    sessions_urls,
)

urlpatterns += (registrants_urls.urlpatterns + builder_urls.urlpatterns
                + sessions_urls.urlpatterns + access_urls.urlpatterns
                + messages_urls.urlpatterns + people_urls.urlpatterns
                + desk_urls.urlpatterns + choices_urls.urlpatterns)

from livesession.manager import retention_urls  # noqa: E402 - retention (issue 6 §1)

urlpatterns += retention_urls.urlpatterns

from livesession.manager import staff_urls  # noqa: E402 - staff access, MFA (issue 6 §6)

urlpatterns += staff_urls.urlpatterns

from livesession.manager import contracts_urls  # noqa: E402 - contract lifecycle (issue 6 §2)

urlpatterns += contracts_urls.urlpatterns

from livesession.manager import registers_urls  # noqa: E402 - register, evidence (issue 6 §3, §7)

urlpatterns += registers_urls.urlpatterns

from livesession.manager import breaches_urls  # noqa: E402 - breach notices (issue 8 §4)

urlpatterns += breaches_urls.urlpatterns

# organizer analytics (issue 7 §7), cohort groups (§8)
from livesession.manager import analytics_urls, comparison_urls  # noqa: E402

urlpatterns += analytics_urls.urlpatterns + comparison_urls.urlpatterns
