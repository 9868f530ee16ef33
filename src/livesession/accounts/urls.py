"""Accounts: sign-in, sign-up, verification and reset under /accounts/, and the personal
space under /me/. Both sit in this one module, mounted at the root, so that every name stays
in the "accounts" namespace (two includes of one namespace would hide each other)."""

from django.urls import include, path

from livesession.accounts import (
    choices_urls,
    comparison_urls,
    data_views,
    erase_views,
    link_views,
    security_urls,
    space_views,
    views,
)

app_name = "accounts"

space_patterns = [
    path("", space_views.space, name="space"),
    path("profile/", space_views.profile, name="profile"),
    path("sharing/", space_views.sharing, name="sharing"),
    path("verify/", space_views.resend_verification, name="resend-verification"),
    # "My data": see and download everything held about oneself (issue 5 §1)
    path("data/", data_views.data, name="data"),
    path("data/link/", data_views.data_link, name="data-link"),
    path("data/download/<str:token>/", data_views.data_download, name="data-download"),
    # Erasure, per organizer or everything (issue 5 §5)
    path("erase/", erase_views.erase, name="erase"),
    path("erase/organizer/", erase_views.erase_organizer, name="erase-organizer"),
    path("erase/everything/", erase_views.erase_everything, name="erase-everything"),
]
# Rectify, restrict, object, consents (issue 5 §2-§4); sessions and "not me" (§7).
space_patterns += choices_urls.urlpatterns + security_urls.urlpatterns
# The anonymized comparison with participants of the same category (issue 7 §8, P2.2).
space_patterns += comparison_urls.urlpatterns

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/signup/", views.signup_view, name="signup"),
    # A mailed link's token moves to the session, then the page has an address without it.
    path("accounts/verify/", link_views.verify_address, name="verify-address"),
    path("accounts/verify/<str:token>/", link_views.verify_link, name="verify"),
    path("accounts/password/reset/", views.password_reset_view, name="password-reset"),
    path("accounts/password/reset/<str:token>/", link_views.reset_link,
         name="password-reset-confirm"),
    path("accounts/password/new/", link_views.new_password, name="password-new"),
    path("me/", include(space_patterns)),
]
