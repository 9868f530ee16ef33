"""Manager routes for the client's request desk and deadlines dashboard (issue 5 §8, §9)."""

from django.urls import URLPattern, path

from livesession.desk import views

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/desk/", views.manager_list, name="desk"),
    path("<slug:client_slug>/desk/new/", views.manager_new, name="desk-new"),
    path("<slug:client_slug>/desk/<uuid:request_id>/", views.manager_detail,
         name="desk-request"),
    path("<slug:client_slug>/desk/<uuid:request_id>/<slug:action>/", views.manager_action,
         name="desk-action"),
]
