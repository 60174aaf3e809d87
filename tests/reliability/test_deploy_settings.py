"""Issue 8, point 5: production settings pass `check --deploy`, and secrets come only from
the environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.conftest import PROJECT_DIR

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "newsroom.example.org",
    "DJANGO_SETTINGS_MODULE": "newsroom.settings",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The test run allows async-unsafe ORM calls (Playwright); production must not.
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_silent_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment" in result.stderr


def test_production_settings_values():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER, s.ALLOWED_HOSTS, "
        "s.SECRET_KEY == __import__('os').environ['SECRET_KEY'], "
        "s.STORAGES['staticfiles']['BACKEND'], s.CACHES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "['newsroom.example.org']",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django.core.cache.backends.db.DatabaseCache",
    ]


def test_no_secret_is_written_in_the_settings():
    text = (PROJECT_DIR / "newsroom" / "settings.py").read_text(encoding="utf-8")
    # The only literal key is the development one, used while DEBUG is on.
    assert text.count("SECRET_KEY = ") == 2
    assert 'SECRET_KEY = "django-insecure-local-development-only"' in text
    assert "PASSWORD" not in text.replace("AUTH_PASSWORD_VALIDATORS", "").replace(
        "password_validation", ""
    )
