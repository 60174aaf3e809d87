"""Test settings: fast hashing, tasks run inline unless a test asks for the real worker."""

from newsroom.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "large"],
    }
}
# No lease heartbeat threads inside test transactions: tests move leases by hand.
NEWSROOM_LEASE_HEARTBEAT = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file rather than memory, so that real `db_worker` processes started by a test
    # (tests/test_scale.py) see the same database; WAL lets them write side by side.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "db.sqlite3-test")}  # noqa: F405
