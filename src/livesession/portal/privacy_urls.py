"""Public routes of the versioned privacy notice pages (issue 5 §10); /privacy/ itself is
``portal:privacy`` in portal/urls.py (its view calls ``privacy_views.current``)."""

from django.urls import path

from livesession.portal import privacy_views

urlpatterns = [
    path("privacy/versions/", privacy_views.versions, name="privacy-versions"),
    path("privacy/versions/<str:digest>/", privacy_views.version, name="privacy-version"),
]
