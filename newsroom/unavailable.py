"""The database away: every page answers 503 with Retry-After and a page in the site's
style, instead of a bare "Server Error (500)"; pages recover by themselves when it is back.

Two nets, because Django turns an exception into a response at each middleware: the
middleware catches what views and templates raise (`process_exception`), and `handler500`
catches what is raised before the view (the session or user lookup of a logged-in staff
member). How fast the page comes is set by the connect and statement timeouts
(settings.py, "Database timeouts").
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

DATABASE_TROUBLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def unavailable_response() -> HttpResponse:
    # Rendered without the request: context processors (the user, the session) would ask
    # the database that is away.
    html = loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_TROUBLE):
            return unavailable_response()
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 when the error is the database being away, else Django's 500."""
    if isinstance(sys.exc_info()[1], DATABASE_TROUBLE):
        return unavailable_response()
    return defaults.server_error(request)
