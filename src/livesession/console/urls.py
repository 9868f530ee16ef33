from django.urls import path

from livesession.console import audit_urls, desk_urls, incidents_urls, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("acknowledge/", views.acknowledge_view, name="ack"),
    path("outbox/", views.outbox, name="outbox"),
]

# Request desk (issue 5 §8), incidents (issue 5 §7), audit trail and sub-processors (issue 6).
urlpatterns += desk_urls.urlpatterns + incidents_urls.urlpatterns + audit_urls.urlpatterns

from livesession.console import retention_urls  # noqa: E402 - retention (issue 6 §1)

urlpatterns += retention_urls.urlpatterns

from livesession.console import staff_urls  # noqa: E402 - staff access, MFA (issue 6 §6)

urlpatterns += staff_urls.urlpatterns

from livesession.console import contracts_urls  # noqa: E402 - contract lifecycle (issue 6 §2)

urlpatterns += contracts_urls.urlpatterns

from livesession.console import registers_urls  # noqa: E402 - registers of processing (issue 6 §3)

urlpatterns += registers_urls.urlpatterns

# cookies and audience (issue 7 §1-6), peer comparison (§8)
from livesession.console import comparison_urls, cookies_urls  # noqa: E402

urlpatterns += cookies_urls.urlpatterns + comparison_urls.urlpatterns
