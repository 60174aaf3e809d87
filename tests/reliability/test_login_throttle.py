"""Issue 8, point 5: repeated failed log-ins are refused for a while (429)."""

from __future__ import annotations

import pytest
from django.test import Client

from newsroom.login_throttle import client_address

LOGIN = "/admin/login/?next=/admin/"


def attempt(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.django_db
def test_five_failures_block_the_account_from_that_address(staff_user, settings):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        response = attempt(client, "editor", "wrong")
        assert response.status_code == 200  # the form again, with its error
        assert "correct username and password" in response.text
    # Now even the right password is refused, with a clear message.
    response = attempt(client, "editor", "a-long-staff-password")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.text
    assert response["Retry-After"] == str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    assert "_auth_user_id" not in client.session
    # The usernames are matched without regard to case.
    assert attempt(client, "EDITOR", "a-long-staff-password").status_code == 429

    # Another address is not blocked for the same account.
    other = Client(REMOTE_ADDR="198.51.100.9")
    response = attempt(other, "editor", "a-long-staff-password")
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.django_db
def test_the_block_ends_with_the_window(staff_user, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 1
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(5):
        attempt(client, "editor", "wrong")
    assert attempt(client, "editor", "a-long-staff-password").status_code == 429
    import time

    time.sleep(1.2)
    assert attempt(client, "editor", "a-long-staff-password").status_code == 302


@pytest.mark.django_db
def test_a_success_resets_the_count(staff_user):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        attempt(client, "editor", "wrong")
    assert attempt(client, "editor", "a-long-staff-password").status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "editor", "wrong").status_code == 200
    assert attempt(client, "editor", "a-long-staff-password").status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_blocked(staff_user, settings):
    client = Client(REMOTE_ADDR="203.0.113.10")
    for i in range(settings.LOGIN_FAILURES_PER_CLIENT):
        assert attempt(client, f"user{i}", "wrong").status_code == 200
    assert attempt(client, "editor", "a-long-staff-password").status_code == 429


@pytest.mark.django_db
def test_other_pages_are_not_throttled(staff_user, client):
    for _ in range(6):
        attempt(client, "editor", "wrong")
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/").status_code == 200


def test_client_address_from_a_trusted_proxy_header(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.1")
    assert client_address(request) == "10.0.0.1"  # headers are not trusted by default
    settings.LOGIN_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_address(request) == "203.0.113.1"


@pytest.mark.django_db
def test_the_throttle_works_with_the_production_cache(staff_user, settings):
    """Production shares the counts between web workers through the database cache."""
    from django.core.management import call_command

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "newsroom_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    client = Client(REMOTE_ADDR="203.0.113.11")
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        assert attempt(client, "editor", "wrong").status_code == 200
    assert attempt(client, "editor", "a-long-staff-password").status_code == 429
