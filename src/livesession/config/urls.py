from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from livesession.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (documents, error pages).
    path("favicon.ico", RedirectView.as_view(url=static("livesession/favicon.svg"),
                                             permanent=True), name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("livesession.accounts.urls")),  # /accounts/… and /me/
    path("manager/", include("livesession.manager.urls")),
    path("console/", include("livesession.console.urls")),
    path("api/v1/", include("livesession.api.urls")),
    path("", include("livesession.messaging.urls")),  # /u/<token>/: unsubscribe
    # Cookie settings, consent receipts and withdrawal (issue 7 §1-4).
    path("", include("livesession.cookies.urls")),
    # The benchmark's no-op baseline (issue 9), served only when BENCH_ENDPOINTS is on.
    path("bench/", include("livesession.core.bench_urls")),
    path("", include("livesession.portal.urls")),
]
