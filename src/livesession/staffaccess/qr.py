"""The QR code of a TOTP set-up address, drawn on the server as inline SVG.

Inline, so the secret it carries never leaves the page: no image URL to cache, log or send
to a third-party QR service. Drawn in module units (``viewBox``), sized by the stylesheet,
black on white with the standard 4-module quiet zone so phone cameras read it in any theme.
"""

from __future__ import annotations

import io

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BORDER = 4  # the quiet zone the QR standard asks for


def make(uri: str) -> segno.QRCode:
    # Level M (15 % of the code may be damaged): the default of authenticator apps' readers.
    return segno.make(uri, error="m", micro=False)


def svg(uri: str, label: str) -> SafeString:
    """``<svg role="img">`` named by ``label`` (a screen reader reads the label, the secret
    stays written out beside it for manual entry)."""
    out = io.BytesIO()
    make(uri).save(out, kind="svg", xmldecl=False, svgns=True, title=label, scale=1,
                   border=BORDER, omitsize=True, nl=False, dark="#000", light="#fff",
                   svgclass="qr-code", lineclass=None)
    drawn = out.getvalue().decode()
    named = f'<svg role="img" aria-label="{escape(label)}" focusable="false" '
    return mark_safe(drawn.replace("<svg ", named, 1))  # noqa: S308 - segno's own markup,
    # the only text in it (the title, the label) is escaped by segno and by escape()


def groups(secret: str, size: int = 4) -> list[str]:
    """The secret in blocks of four characters, easier to copy by eye."""
    return [secret[i:i + size] for i in range(0, len(secret), size)]
