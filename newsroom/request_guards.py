"""Requests refused before any view sees them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RejectNulMiddleware:
    """Answer 400 to a request whose path, query or form fields hold a NUL character.

    No page has a use for one, and PostgreSQL refuses NUL in text: without this guard a
    `?q=%00` reaches a query and fails as a server error. Uploaded file contents are not
    looked at here; the upload form refuses binary files with its own message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET) or _post_has_nul(request):
            return HttpResponseBadRequest(
                "Bad request: NUL characters are not allowed in addresses or forms.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


def _post_has_nul(request: HttpRequest) -> bool:
    # A malformed or oversized body raises here as it would in the view: Django answers 400.
    return request.method == "POST" and _has_nul(request.POST)
