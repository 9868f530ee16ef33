"""Pages of the request desk, shared by the operator's console and the client's Manager.

The console's desk holds the operator's requests (``client`` null: platform accounts); the
Manager's holds one client's (its participants, P6.3, P6.7). A Manager view gets its client
from ``membership_or_404`` and reads a request with that client in the filter (another
client's request is a 404), then asks the role (``manage_members``: owners and admins answer
rights requests; others get 403). Every change goes through ``desk.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from livesession.core.models import Client, Membership
from livesession.core.paging import page_of
from livesession.core.referrer import keep_on_site
from livesession.core.tenancy import membership_or_404, require
from livesession.desk import deadlines, services
from livesession.desk import forms as desk_forms
from livesession.desk.models import CLOSED, IdentityCheck, Request, RequestType, Status
from livesession.protection import keystore

CAPABILITY = "manage_members"


@dataclass(frozen=True)
class Desk:
    """Whose desk a page shows: a client's (Manager) or the operator's (console)."""

    client: Client | None
    membership: Membership | None = None

    @property
    def base(self) -> str:
        return "manager/base.html" if self.client else "console/base.html"

    def url(self, name: str, **kwargs: Any) -> str:
        if self.client is not None:
            return reverse(f"manager:{name}", kwargs={"client_slug": self.client.slug,
                                                      **kwargs})
        return reverse(f"console:{name}", kwargs=kwargs)

    def get(self, request_id: Any) -> Request:
        found = services.requests_of(self.client).filter(pk=request_id).first()
        if found is None:
            raise Http404
        return found


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def manager_desk(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def inner(request: HttpRequest, client_slug: str, **kwargs: Any) -> HttpResponse:
        membership = membership_or_404(request.user, client_slug)
        desk = Desk(client=membership.client, membership=membership)
        if "request_id" in kwargs:
            # The object first: another client's request is a 404 for every role (P6.1).
            kwargs["req"] = desk.get(kwargs.pop("request_id"))
        require(membership, CAPABILITY)
        return view(request, desk, **kwargs)

    return inner


def console_desk(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    from livesession.console.views import operator_only

    @wraps(view)
    def inner(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        desk = Desk(client=None)
        if "request_id" in kwargs:
            kwargs["req"] = desk.get(kwargs.pop("request_id"))
        return view(request, desk, **kwargs)

    return operator_only(inner)


def _render(request: HttpRequest, desk: Desk, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, template, {"desk": desk, "base": desk.base, "m": desk.membership,
                                      **context}, status=status)


# --- The list and its deadlines (R-14) ----------------------------------------------------

def desk_list(request: HttpRequest, desk: Desk) -> HttpResponse:
    show_closed = request.GET.get("show") == "closed"
    rows = services.requests_of(desk.client)
    rows = rows.filter(status__in=CLOSED) if show_closed else rows.exclude(status__in=CLOSED)
    rows = rows.annotate(waiting=Case(When(status=Status.AWAITING_CONTROLLER, then=Value(1)),
                                      default=Value(0), output_field=IntegerField()))
    today = deadlines.today()
    items = []
    paged = page_of(request, rows.order_by("waiting", "due_on", "created_at", "pk"))
    with keystore.unit_of_work():
        rows_list = list(paged["page"].object_list)
        keystore.preload({r.subject_id for r in rows_list if r.subject_id})
        for row in rows_list:
            left = deadlines.days_left(row.deadline, today)
            items.append({"req": row, "days_left": left, "overdue": left < 0 and row.is_open,
                          "soon": 0 <= left <= 7 and row.is_open, "email": row.email,
                          "late": -left,
                          "url": desk.url("desk-request", request_id=row.pk)})
    # Over the whole list, not this page: the alert must not hide on page 2.
    overdue = 0 if show_closed else rows.exclude(status=Status.AWAITING_CONTROLLER).filter(
        Q(extended_until__lt=today) | Q(extended_until__isnull=True, due_on__lt=today)).count()
    return _render(request, desk, "manager/desk/list.html", {
        **paged, "items": items, "show_closed": show_closed, "today": today,
        "overdue_count": overdue,
    })


def desk_new(request: HttpRequest, desk: Desk) -> HttpResponse:
    form = desk_forms.NewRequestForm(request.POST or None,
                                     initial={"received_on": deadlines.today()})
    if request.method == "POST" and form.is_valid():
        try:
            req = services.record_request(client=desk.client, actor=_actor(request),
                                          **form.cleaned_data)
        except services.DeskError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Request recorded. It is due on %(date)s.")
                             % {"date": req.due_on.isoformat()})
            return redirect(desk.url("desk-request", request_id=req.pk))
    return _render(request, desk, "manager/desk/new.html", {"form": form},
                   status=400 if form.errors else 200)


# --- One request --------------------------------------------------------------------------

def _people_url(desk: Desk, req: Request) -> str:
    """The Manager's page of this person (the request's subject is the participant at this
    client), or the People search when the client holds no registration of that address."""
    from livesession.registrations.models import Registration

    if desk.client is None:
        return ""
    slug = desk.client.slug
    try:
        if req.subject_id and Registration.objects.filter(
                client=desk.client, subject_id=req.subject_id).exists():
            return reverse("manager:person", kwargs={"client_slug": slug,
                                                     "subject_id": req.subject_id})
        return reverse("manager:people", kwargs={"client_slug": slug})
    except NoReverseMatch:  # the People pages are not installed
        return reverse("manager:events", kwargs={"client_slug": slug})


def _forms(desk: Desk, bound: dict[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    """One unbound form per action that has one (keys with ``_`` for the template), each
    with its own ids; ``bound`` replaces the one that failed, with what was typed."""
    made: dict[str, forms.Form] = {}
    for name in sorted(_available(desk)):
        form_class = ACTIONS[name][0]
        if form_class is not None:
            made[name.replace("-", "_")] = form_class(auto_id=_auto_id(name))
    for name, form in (bound or {}).items():
        made[name.replace("-", "_")] = form
    return made


def _auto_id(action: str) -> str:
    return f"id_{action.replace('-', '_')}_%s"


def _detail(request: HttpRequest, desk: Desk, req: Request, *,
            bound: dict[str, forms.Form] | None = None, error: str = "",
            status: int = 200) -> HttpResponse:
    left = deadlines.days_left(req.deadline)
    check = IdentityCheck.objects.filter(request=req).first()
    return _render(request, desk, "manager/desk/detail.html", {
        "req": req, "forms": _forms(desk, bound), "error": error, "days_left": left,
        "overdue": left < 0 and req.is_open, "check": check,
        "documents": req.documents.count(), "latest_extension": deadlines.latest_extension(
            req.received_on), "can_extend": req.is_open and not req.extended_until
        and deadlines.today() <= req.due_on,
        "actions": {name.replace("-", "_"): desk.url("desk-action", request_id=req.pk,
                                                     action=name)
                    for name in sorted(_available(desk))},
        "people_url": _people_url(desk, req), "is_export": req.type in services.EXPORT_TYPES,
        "types": RequestType, "statuses": Status,
        "forwards": list(Request.objects.filter(forwarded_from=req).select_related("client")),
        "list_url": desk.url("desk"),
    }, status=status)


def desk_detail(request: HttpRequest, desk: Desk, req: Request) -> HttpResponse:
    return _detail(request, desk, req)


# --- Actions ------------------------------------------------------------------------------

Handler = Callable[[HttpRequest, Desk, Request, dict[str, Any], str], "HttpResponse | str"]


def _send_code(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
               actor: str) -> str:
    services.start_identity_check(req, actor=actor)
    return _("A code was sent to the person's address. Enter it here when they give it "
             "back.")


def _verify_code(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
                 actor: str) -> str:
    services.verify_code(req, data["code"], actor=actor)
    return _("Identity verified.")


def _doubt(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
           actor: str) -> str:
    services.record_doubt(req, data["reason"], actor=actor)
    return _("Reason for doubt recorded: you may now receive an identity document.")


def _document(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
              actor: str) -> str:
    upload = data["document"]
    services.upload_document(req, upload.read(), file_name=upload.name or "",
                             content_type=upload.content_type or "", actor=actor)
    return _("Document kept, encrypted, until you conclude the check.")


def _document_result(accepted: bool) -> Handler:
    def handler(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
                actor: str) -> str:
        services.conclude_document_check(req, accepted=accepted, actor=actor)
        return (_("Identity verified; the document was deleted.") if accepted else
                _("Identity not verified; the document was deleted."))

    return handler


def _extend(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
            actor: str) -> str:
    services.extend(req, until=data["until"], reason=data["reason"], actor=actor)
    return _("Deadline extended; the person was told why.")


def _refuse(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
            actor: str) -> str:
    services.refuse(req, reason=data["reason"], actor=actor)
    return _("Request refused; the person was told the reason and how to complain to the "
             "CNIL.")


def _complete(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
              actor: str) -> str:
    services.complete(req, actor=actor, note=data.get("note", ""))
    return _("Request closed as done; the person was told.")


def _withdraw(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
              actor: str) -> str:
    services.withdraw(req, actor=actor)
    return _("Request closed as withdrawn by the person.")


def _erase(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
           actor: str) -> str:
    counts = services.fulfil_erasure(req, actor=actor)
    if not counts:
        return _("Nothing was left to erase (the person was already erased). The request "
                 "is done.")
    return _("The person's data was erased and the request is done.")


def _restrict(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
              actor: str) -> str:
    services.fulfil_restriction(req, actor=actor)
    return _("Processing restricted; the person was sent the notice. Close the request "
             "when answered.")


def _object(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
            actor: str) -> str:
    services.fulfil_objection(req, data["purpose"], actor=actor)
    return _("Objection recorded. Close the request when answered.")


def _forward(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
             actor: str) -> str:
    services.forward_to_client(req, data["client"], actor=actor)
    return _("Forwarded to the organizer; its owners and admins and the person were told.")


def _close_forwarded(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
                     actor: str) -> str:
    services.close_forwarded(req, actor=actor)
    return _("Closed: the organizer answered.")


def _rectify(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
             actor: str) -> str:
    form = desk_forms.RectifyForm(data={k: v for k, v in data.items()})
    form.is_valid()
    changed = services.rectify_account(req, form.changes(), actor=actor)
    return _("Profile corrected: %(fields)s.") % {"fields": ", ".join(changed) or "—"}


def _export(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
            actor: str) -> HttpResponse:
    export = services.export_for_operator(req, actor=actor)
    response = HttpResponse(export.archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-SHA256"] = export.sha256
    return response


def _send_link(request: HttpRequest, desk: Desk, req: Request, data: dict[str, Any],
               actor: str) -> str:
    services.send_export_link(req, actor=actor)
    return _("A link to the archive was mailed to the person; opening it needs a code sent "
             "to the same address. Close the request once they have it.")


# name: (form class or None, handler, operator only)
ACTIONS: dict[str, tuple[type[forms.Form] | None, Callable[..., Any], bool]] = {
    "send-code": (None, _send_code, False),
    "verify-code": (desk_forms.CodeForm, _verify_code, False),
    "doubt": (desk_forms.ReasonForm, _doubt, False),
    "document": (desk_forms.DocumentForm, _document, False),
    "document-accept": (None, _document_result(True), False),
    "document-reject": (None, _document_result(False), False),
    "extend": (desk_forms.ExtendForm, _extend, False),
    "refuse": (desk_forms.ReasonForm, _refuse, False),
    "complete": (desk_forms.NoteForm, _complete, False),
    "withdraw": (None, _withdraw, False),
    "erase": (None, _erase, False),
    "restrict": (None, _restrict, False),
    "object": (desk_forms.ObjectionForm, _object, False),
    "forward": (desk_forms.ForwardForm, _forward, True),
    "close-forwarded": (None, _close_forwarded, True),
    "rectify": (desk_forms.RectifyForm, _rectify, True),
    "export": (None, _export, True),
    "send-link": (None, _send_link, True),
}


def _available(desk: Desk) -> set[str]:
    return {name for name, (_f, _h, op) in ACTIONS.items() if desk.client is None or not op}


def desk_action(request: HttpRequest, desk: Desk, req: Request, action: str) -> HttpResponse:
    if action not in _available(desk):
        raise Http404
    form_class, handler, _op = ACTIONS[action]
    form = (form_class(request.POST, request.FILES, auto_id=_auto_id(action)) if form_class
            else None)
    if form is not None and not form.is_valid():
        return _detail(request, desk, req, bound={action: form},
                       error=_("Check the form below."), status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        result = handler(request, desk, req, data, _actor(request))
    except services.DeskError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        # A refused step is an answer, not a malformed request: the page says why (200).
        req.refresh_from_db()
        return _detail(request, desk, req, bound={action: form} if form else None,
                       error=exc.message)
    except PermissionDenied:
        raise
    except ValidationError as exc:  # rectification: the profile rules' messages
        bound = form or desk_forms.RectifyForm(request.POST)
        for field, errors in exc.message_dict.items():
            bound.add_error(field if field in bound.fields else None, errors)
        return _detail(request, desk, req, bound={action: bound},
                       error=_("Check the form below."), status=400)
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, result)
    return redirect(desk.url("desk-request", request_id=req.pk))


# --- Wired views ----------------------------------------------------------------------------

manager_list = manager_desk(require_http_methods(["GET"])(desk_list))
manager_new = manager_desk(require_http_methods(["GET", "POST"])(desk_new))
manager_detail = manager_desk(require_http_methods(["GET"])(desk_detail))
manager_action = manager_desk(require_POST(desk_action))
console_list = console_desk(require_http_methods(["GET"])(desk_list))
console_new = console_desk(require_http_methods(["GET", "POST"])(desk_new))
console_detail = console_desk(require_http_methods(["GET"])(desk_detail))
console_action = console_desk(require_POST(desk_action))


# --- The person's download (public: the link and a one-time code, no account) -------------

@never_cache
@require_http_methods(["GET", "POST"])
def delivery(request: HttpRequest, token: str) -> HttpResponse:
    """Where the mailed link leads: ask for a code, then download once with it. A wrong,
    used or expired link says so, without telling which (200: nothing to probe)."""
    found = services.delivery_for(token)
    context: dict[str, Any] = {"found": found is not None, "sent": False, "error": ""}
    form = desk_forms.CodeForm(request.POST if request.POST.get("action") == "open" else None,
                               auto_id="id_delivery_%s")
    if found is not None and request.method == "POST":
        try:
            if request.POST.get("action") == "open" and form.is_valid():
                archive = services.open_delivery(found, form.cleaned_data["code"])
                response = HttpResponse(archive, content_type="application/zip")
                response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
                response["Cache-Control"] = "no-store"
                return response
            if request.POST.get("action") != "open":
                services.send_delivery_code(found)
                context["sent"] = True
        except services.DeskError as exc:
            context["error"] = exc.message
            context["found"] = services.delivery_for(token) is not None
    context["form"] = form
    response = render(request, "manager/desk/delivery.html", context)
    return keep_on_site(response)
