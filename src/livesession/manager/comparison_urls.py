"""Manager routes of the comparison (issue 7 §8, P2.2): offer it, allow pooling, and the
client's own groups."""

from django.urls import URLPattern, path

from livesession.comparison import manager_views as views

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/comparison/", views.overview, name="comparison"),
    path("<slug:client_slug>/comparison/settings/", views.save_settings,
         name="comparison-settings"),
    path("<slug:client_slug>/comparison/groups/new/", views.group_new,
         name="comparison-group-new"),
    path("<slug:client_slug>/comparison/groups/<int:group_id>/", views.group_edit,
         name="comparison-group"),
    path("<slug:client_slug>/comparison/groups/<int:group_id>/delete/", views.group_delete,
         name="comparison-group-delete"),
]
