"""Conditional GET for the public pages: a repeat visit costs one cheap query.

A page changes when the data does (the data version that triggers bump on every write,
statements/tallies.py), when the code does (a deploy), or with who is looking (their
session: staff see more). The ETag is made of those; a browser sending it back gets
304 Not Modified after a single primary-key read, before any page work.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from statements import tallies

CODE_DIRS = ("statements", "templates", "static", "newsroom")
CODE_SUFFIXES = {".py", ".html", ".css", ".js", ".svg", ".json"}


@cache
def code_version() -> str:
    """What identifies the running code: NEWSROOM_BUILD when the deploy sets it, else the
    newest modification time of the code and templates (the same in every worker)."""
    build = os.environ.get("NEWSROOM_BUILD")
    if build:
        return build
    root = Path(settings.BASE_DIR)
    newest = max(
        (
            p.stat().st_mtime_ns
            for d in CODE_DIRS
            for p in (root / d).rglob("*")
            if p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts
        ),
        default=0,
    )
    return str(newest)


def data_etag(request: HttpRequest, *args, **kwargs) -> str:
    visitor = "\0".join(
        [
            code_version(),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-History-Restore-Request", ""),
            request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
        ]
    )
    digest = hashlib.sha256(visitor.encode()).hexdigest()[:16]
    return f"{tallies.data_version()}-{digest}"


def conditional_on_data(view):
    """ETag from the data version; browsers revalidate on each visit (no-cache)."""
    conditional = condition(etag_func=data_etag)(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = conditional(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_cache=True)
        return response

    return wrapper
