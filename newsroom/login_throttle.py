"""Slowing down password guessing: log-in attempts are refused for a while after repeated
failures from one client.

Failures are counted in the cache through Django's `user_login_failed` signal, per username
and client address (a guessed password for one account) and per client address alone (one
client trying many accounts). While a count is over its limit, the middleware answers log-in
POSTs with 429 before the password is checked, so even a right guess does not get in.

Why not django-axes: axes compares one failure limit with the highest count over all its
lockout parameters, so it cannot keep two limits at once (5 failures per account and
address, 20 per address over many accounts): either an office behind one address is
locked out after 5 mistyped passwords, or password spraying across accounts goes
unchecked. Its cache handler also extends the cool-off with each failure, where ours is a
fixed window from the first failure. The ~80 lines here keep both limits.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import escape


def _limits() -> tuple[int, int, int]:
    return (
        settings.LOGIN_FAILURES_PER_USER,
        settings.LOGIN_FAILURES_PER_CLIENT,
        settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets
    (`LOGIN_CLIENT_IP_HEADER`, e.g. HTTP_X_REAL_IP) when one is configured."""
    header = settings.LOGIN_CLIENT_IP_HEADER
    address = request.META.get(header, "") if header else ""
    return address.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()
    return f"login-failures:{digest}"


def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
    address = client_address(request)
    return _key("user", username.strip().casefold(), address), _key("client", address)


def _count_up(key: str, window: int) -> None:
    # add() starts the window; incr() keeps its expiry (the window is not extended).
    if not cache.add(key, 1, window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, window)


@receiver(user_login_failed, dispatch_uid="newsroom.login_throttle.failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None:
        return
    per_user, per_client, window = _limits()
    user_key, client_key = _keys(request, str(credentials.get("username", "")))
    _count_up(user_key, window)
    _count_up(client_key, window)


@receiver(user_logged_in, dispatch_uid="newsroom.login_throttle.succeeded")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        cache.delete(_keys(request, user.get_username())[0])


def is_throttled(request: HttpRequest, username: str) -> bool:
    per_user, per_client, _window = _limits()
    user_key, client_key = _keys(request, username)
    counts = cache.get_many([user_key, client_key])
    return counts.get(user_key, 0) >= per_user or counts.get(client_key, 0) >= per_client


class LoginThrottleMiddleware:
    """Refuse log-in POSTs (429) from a client that failed too often; see the module doc."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._login_paths: frozenset[str] | None = None

    def login_paths(self) -> frozenset[str]:
        if self._login_paths is None:
            self._login_paths = frozenset(reverse(name) for name in settings.LOGIN_THROTTLE_URLS)
        return self._login_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.path_info in self.login_paths()
            and is_throttled(request, request.POST.get("username", ""))
        ):
            return too_many_attempts()
        return self.get_response(request)


def too_many_attempts() -> HttpResponse:
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    message = (
        "Too many failed log-in attempts from your address. "
        f"Try again in {minutes} minutes, or ask an administrator to reset your password."
    )
    response = HttpResponse(
        f"<!doctype html><html lang=en><title>Too many log-in attempts</title>"
        f"<h1>Too many log-in attempts</h1><p>{escape(message)}</p></html>",
        status=429,
    )
    response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return response
