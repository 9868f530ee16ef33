"""Console routes of the operator's request desk (issue 5 §8)."""

from django.urls import URLPattern, path

from livesession.desk import views

urlpatterns: list[URLPattern] = [
    path("desk/", views.console_list, name="desk"),
    path("desk/new/", views.console_new, name="desk-new"),
    path("desk/<uuid:request_id>/", views.console_detail, name="desk-request"),
    path("desk/<uuid:request_id>/<slug:action>/", views.console_action, name="desk-action"),
    # Public: the person's download of a requested copy (a mailed link and a code).
    path("desk/delivery/<str:token>/", views.delivery, name="desk-delivery"),
]
