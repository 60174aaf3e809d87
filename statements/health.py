"""Is the service well? The database, the age of the oldest queued article and the last
worker heartbeat, for /healthz (load balancers, monitoring) and `manage.py doctor`."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.utils import timezone

from statements.models import Article, WorkerHeartbeat


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float | None = None  # the age the check looked at, when it has one


def health_checks() -> list[Check]:
    """The checks in order; when the database is away the others are not tried."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return [Check("database", False, f"unreachable: {exc}".strip()[:300])]
    return [Check("database", True, "reachable"), _queue_check(), _worker_check()]


def _queue_check() -> Check:
    limit = settings.NEWSROOM_HEALTH_MAX_QUEUE_SECONDS
    oldest = Article.objects.filter(status=Article.Status.PENDING).aggregate(t=Min("updated_at"))
    if oldest["t"] is None:
        return Check("queue", True, "no article waiting", 0.0)
    age = (timezone.now() - oldest["t"]).total_seconds()
    if age > limit:
        return Check("queue", False, f"oldest queued article waits {age:.0f} s (> {limit} s)", age)
    return Check("queue", True, f"oldest queued article waits {age:.0f} s", age)


def _worker_check() -> Check:
    limit = settings.NEWSROOM_HEALTH_MAX_HEARTBEAT_SECONDS
    last = WorkerHeartbeat.objects.aggregate(t=Max("seen_at"))["t"]
    if last is None:
        return Check("worker", False, "no annotation worker has ever reported")
    age = (timezone.now() - last).total_seconds()
    if age > limit:
        return Check("worker", False, f"last worker heartbeat {age:.0f} s ago (> {limit} s)", age)
    return Check("worker", True, f"last worker heartbeat {age:.0f} s ago", age)


def health_report() -> tuple[bool, dict]:
    """(healthy, the JSON body /healthz sends)."""
    checks = health_checks()
    healthy = all(c.ok for c in checks)
    return healthy, {
        "status": "ok" if healthy else "unhealthy",
        "problems": [f"{c.name}: {c.detail}" for c in checks if not c.ok],
        "checks": {c.name: {k: v for k, v in asdict(c).items() if k != "name"} for c in checks},
    }
