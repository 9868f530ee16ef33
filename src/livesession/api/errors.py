"""Every API error is JSON with field errors a caller can act on; never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response({"errors": errors}, status=400)
    response = drf_handler(exc, context)
    if response is not None and response.status_code == 400 and isinstance(response.data, dict):
        response.data = {"errors": response.data}
    return response
