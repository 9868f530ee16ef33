"""API routes of the breach register for operator staff (issue 8 §6)."""

from django.urls import path

from livesession.api import views_breaches as views

urlpatterns = [
    path("breaches", views.BreachList.as_view(), name="breaches"),
    path("breaches/<uuid:incident_id>", views.BreachDetail.as_view(), name="breach"),
    path("breaches/<uuid:incident_id>/assess", views.BreachAssess.as_view(),
         name="breach-assess"),
    path("breaches/<uuid:incident_id>/decide", views.BreachDecide.as_view(),
         name="breach-decide"),
    path("breaches/<uuid:incident_id>/notifications", views.BreachNotification.as_view(),
         name="breach-notifications"),
    path("breaches/<uuid:incident_id>/close", views.BreachClose.as_view(),
         name="breach-close"),
]
