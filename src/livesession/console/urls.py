from django.urls import path

from livesession.console import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("acknowledge/", views.acknowledge_view, name="ack"),
    path("outbox/", views.outbox, name="outbox"),
]
