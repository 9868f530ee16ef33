"""Personal-space routes for sessions and 'that was not me' (issue 5 §7); mounted under /me/."""

from django.urls import path

from livesession.accounts import security_views

urlpatterns = [
    path("security/", security_views.security, name="security"),
    path("security/sessions/<uuid:session_id>/sign-out/", security_views.session_sign_out,
         name="session-sign-out"),
    path("security/sign-out-everywhere/", security_views.sign_out_everywhere,
         name="sign-out-everywhere"),
    path("security/not-me/", security_views.not_me, name="not-me"),
]
