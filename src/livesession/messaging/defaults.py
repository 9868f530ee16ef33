"""The built-in wording of each message, used when the client wrote none (issue 4 §7).

Written in the placeholder syntax of messaging/templating.py, in the active language. The
sentences reuse the catalog entries of the registration emails they replace (the French
translations carry over); placeholders are inserted with ``%`` so that translators never
see, and cannot break, a ``{{ … }}``.

Some kinds have variants for a missing optional part (no organizer's note, no replay): the
default then leaves out the sentence that would introduce it. A client's own template has
no variants: what the organizer wrote is what is sent.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from livesession.messaging.models import MessageKind as K


def ph(name: str) -> str:
    return "{{ " + name + " }}"


def _hello() -> str:
    return _("Hello %(name)s,") % {"name": ph("first_name")}


def _start() -> str:
    return _("Start: %(start)s (%(tz)s)") % {"start": ph("event_start"), "tz": ph("time_zone")}


def _footer() -> str:
    return _("You receive this message because of a registration made with this address. "
             "The organizer is responsible for your data; you can ask it to access, correct "
             "or erase them.")


def _unsubscribe() -> str:
    return _("To receive no more messages of this kind from this organizer: %(link)s") % {
        "link": ph("unsubscribe_link")}


def _personal_link() -> str:
    return "\n".join([_("Your personal access link (do not share it, it is yours alone):"),
                      ph("join_link")])


def _calendar() -> str:
    return "\n".join([
        _("Add it to your calendar: open the attached invitation (invite.ics), or:"),
        "Google Calendar: " + ph("google_calendar_link"),
        "Outlook: " + ph("outlook_calendar_link")])


def _confirmed(opening: str) -> str:
    return "\n\n".join([
        _hello(), opening, _start(), ph("sessions"), _personal_link(),
        _("The link opens the room a few minutes before the start. To cancel your "
          "registration, open the link and choose Cancel."),
        _calendar(), _footer()])


def subject(kind: str) -> str:
    title = {"title": ph("event_title")}
    subjects: dict[str, str] = {
        K.CONFIRMATION: _("Your registration: %(title)s"),
        K.APPROVED: _("Registration approved: %(title)s"),
        K.PROMOTED: _("A place is yours: %(title)s"),
        K.WAITLISTED: _("Waiting list: %(title)s"),
        K.PENDING_APPROVAL: _("Registration received, awaiting approval: %(title)s"),
        K.PENDING_CONFIRMATION: _("Confirm your registration: %(title)s"),
        K.DENIED: _("Registration not accepted: %(title)s"),
        K.CANCELLED: _("Registration cancelled: %(title)s"),
        K.REMINDER: _("Reminder: %(title)s"),
        K.FOLLOWUP_ATTENDED: _("Thank you for attending: %(title)s"),
        K.FOLLOWUP_ABSENT: _("Sorry we missed you: %(title)s"),
        K.SEGMENT: "%(title)s",
    }
    return subjects[kind] % title


def body(kind: str, *, note: bool = True, replay: bool = True) -> str:
    """The default body of ``kind``; ``note``/``replay`` False give the variant without the
    organizer's note or the replay sentence."""
    title = {"title": ph("event_title")}
    if kind == K.CONFIRMATION:
        return _confirmed(_('You are registered to "%(title)s".') % title)
    if kind == K.APPROVED:
        return _confirmed(_('The organizer approved your registration. You are registered '
                            'to "%(title)s".') % title)
    if kind == K.PROMOTED:
        return _confirmed(_('Good news: a place has freed up and it is yours. You are '
                            'registered to "%(title)s".') % title)
    if kind == K.WAITLISTED:
        return "\n\n".join([
            _hello(),
            (_('The event "%(title)s" is full. You are on the waiting list') % title
             + " (" + _("position %(n)s") % {"n": ph("position")} + ").\n"
             + _("If a place frees up, it is given to you automatically and you receive an "
                 "email.")),
            "\n".join([_("Follow your registration, or leave the waiting list, with your "
                         "personal link:"), ph("join_link")]),
            _footer()])
    if kind == K.PENDING_APPROVAL:
        return "\n\n".join([
            _hello(),
            _('Your registration to "%(title)s" is received. The organizer approves each '
              'registration: you will receive an email with the decision.') % title,
            "\n".join([_("Follow your registration with your personal link:"),
                       ph("join_link")]),
            _footer()])
    if kind == K.PENDING_CONFIRMATION:
        return "\n\n".join([
            _hello(),
            "\n".join([_('To complete your registration to "%(title)s", confirm your email '
                         'address by opening this link and choosing Confirm:') % title,
                       ph("join_link")]),
            _("If you did not ask for this registration, ignore this message: nothing more "
              "will be sent."),
            _footer()])
    if kind == K.DENIED:
        parts = [_hello(),
                 _('The organizer did not accept your registration to "%(title)s".') % title]
        if note:
            parts.append("\n".join([_("Message from the organizer:"), ph("note")]))
        return "\n\n".join([*parts, _footer()])
    if kind == K.CANCELLED:
        return "\n\n".join([
            _hello(),
            _('Your registration to "%(title)s" is cancelled.') % title + " "
            + ph("cancelled_by"),
            _footer()])
    if kind == K.REMINDER:
        return "\n\n".join([
            _hello(),
            _('A reminder: "%(title)s" starts on %(start)s (%(tz)s).') % {
                **title, "start": ph("event_start"), "tz": ph("time_zone")},
            ph("session_title"), _personal_link(),
            _("The link opens the room a few minutes before the start."),
            _footer()])
    if kind in (K.FOLLOWUP_ATTENDED, K.FOLLOWUP_ABSENT):
        opening = (_('Thank you for attending "%(title)s".') if kind == K.FOLLOWUP_ATTENDED
                   else _('You could not attend "%(title)s": we hope to see you next '
                          'time.')) % title
        parts = [_hello(), opening]
        if replay:
            parts.append("\n".join([_("The replay is available with your personal link:"),
                                    ph("replay_link")]))
        return "\n\n".join([*parts, ph("organizer"), _unsubscribe()])
    if kind == K.SEGMENT:
        return "\n\n".join([_hello(), "…", ph("organizer"), _unsubscribe()])
    raise KeyError(kind)


def default(kind: str, language: str, **variant: bool) -> tuple[str, str]:
    """(subject, body) of the built-in template of ``kind`` in ``language``."""
    with translation.override(language):
        return subject(kind), body(kind, **variant)
