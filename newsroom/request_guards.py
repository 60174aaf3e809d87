"""Requests that must end in a 4xx, whatever view they reach."""

from __future__ import annotations

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RejectNulMiddleware:
    """Answer 400, not 500, when a NUL character sent in the path, query or form reaches
    the database.

    PostgreSQL refuses NUL in text: a `?status__exact=%00` on an admin list, or any page
    that passes a parameter to a query unchecked, fails there. Pages that check their
    parameters (and give their own message) never get this far; this is the net under the
    rest. Uploaded file contents are not looked at: the upload form refuses binary files.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DataError | ValueError) and request_has_nul(request):
            return HttpResponseBadRequest(
                "Bad request: NUL characters are not allowed in addresses or forms.",
                content_type="text/plain; charset=utf-8",
            )
        return None


def request_has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _has_nul(request.GET):
        return True
    try:
        return request.method == "POST" and _has_nul(request.POST)
    except Exception:  # noqa: BLE001 - an unreadable body is not a NUL we can point at
        return False


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())
