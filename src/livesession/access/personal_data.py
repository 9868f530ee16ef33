from django.utils.translation import gettext_lazy as _

from livesession.access.models import AccessLink, Attendance, AttendanceDevice, RoomSettings
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_KEEP = _("as long as the client's contract, then 60 days")  # P4.4

declare(
    AccessLink,
    personal={
        "token_enc": Personal(Controller.CLIENT, _("give the participant their personal link"),
                              Basis.CONTRACT, _KEEP, Erase.SHRED, Export.OMIT),
        "token_digest": Personal(Controller.CLIENT, _("recognise the personal link"),
                                 Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
        "subject": Personal(Controller.CLIENT, _("give the participant their personal link"),
                            Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
    },
    not_personal=["id", "registration", "client", "created_at", "revoked_at"],
    sealed={"token": "token_enc"},
)
_ATTENDANCE = _("record attendance and show it to the organizer and the participant")
declare(
    Attendance,
    labels={
        "accesses": _("number of accesses"),
        "concurrent_uses": _("uses of the link at the same time"),
        "first_access_at": _("time of first access"),
        "last_device": _("last device used"),
        "last_seen_at": _("time last seen present"),
        "presence_measured": _("whether presence was measured"),
        "seconds_present": _("time present (seconds)"),
    },
    personal={
        name: Personal(Controller.CLIENT, _ATTENDANCE, Basis.CONTRACT, _KEEP, Erase.DELETE_ROW)
        for name in ("first_access_at", "last_seen_at", "seconds_present",
                     "presence_measured", "accesses", "concurrent_uses")
    } | {
        "registration": Personal(Controller.CLIENT, _ATTENDANCE, Basis.CONTRACT, _KEEP,
                                 Erase.DELETE_ROW, Export.OMIT),
        "last_device": Personal(Controller.CLIENT, _("recognise concurrent use of a personal "
                                                     "link"), Basis.CONTRACT, _KEEP,
                                Erase.DELETE_ROW, Export.OMIT),
    },
    not_personal=["id", "client", "event", "session", "session_key"],
    subject_path="registration__subject",
)
declare(
    AttendanceDevice,
    labels={
        "device_hash": _("hash identifying the device"),
        "first_seen_at": _("first use of the device"),
        "last_seen_at": _("last use of the device"),
    },
    personal={
        "registration": Personal(Controller.CLIENT, _("count the devices using a personal "
                                                      "link"), Basis.CONTRACT, _KEEP,
                                 Erase.DELETE_ROW, Export.OMIT),
        "device_hash": Personal(Controller.CLIENT, _("count the devices using a personal "
                                                     "link"), Basis.CONTRACT, _KEEP,
                                Erase.DELETE_ROW, Export.OMIT),
        "first_seen_at": Personal(Controller.CLIENT, _ATTENDANCE, Basis.CONTRACT, _KEEP,
                                  Erase.DELETE_ROW),
        "last_seen_at": Personal(Controller.CLIENT, _ATTENDANCE, Basis.CONTRACT, _KEEP,
                                 Erase.DELETE_ROW),
    },
    not_personal=["id", "client", "session_key"],
    subject_path="registration__subject",
)

declare(RoomSettings, not_personal=["id", "client", "bbb_url", "bbb_secret_enc", "jitsi_domain",
                                    "jitsi_app_id", "jitsi_secret_enc", "updated_at"])
