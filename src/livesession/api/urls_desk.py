"""API routes of the request desk (issue 5 §11)."""

from django.urls import URLPattern, path

from livesession.api import views_desk

urlpatterns: list[URLPattern] = [
    path("desk/requests", views_desk.DeskRequests.as_view(), name="desk-requests"),
    path("desk/requests/<uuid:request_id>", views_desk.DeskRequestDetail.as_view(),
         name="desk-request"),
    path("desk/requests/<uuid:request_id>/<slug:action>",
         views_desk.DeskRequestAction.as_view(), name="desk-request-action"),
]
