"""python manage.py doctor : what /healthz checks, and the settings that matter, for an
operator; exits 1 when something is wrong."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from statements.health import health_checks


class Command(BaseCommand):
    help = "Check the database, the annotation queue and the workers; exit 1 if one is wrong."

    def handle(self, *args, **options):
        checks = health_checks()
        for check in checks:
            mark = self.style.SUCCESS("ok  ") if check.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {check.name:<9} {check.detail}")
        db = connection.settings_dict
        self.stdout.write(
            f"     database  {connection.vendor} {db.get('NAME')}; connect timeout "
            f"{settings.DB_CONNECT_TIMEOUT} s, statement timeout "
            f"{settings.DB_STATEMENT_TIMEOUT_MS} ms ({settings.DB_ROLE} limits)"
        )
        self.stdout.write(
            f"     leases    {settings.NEWSROOM_LEASE_SECONDS} s, given up after "
            f"{settings.NEWSROOM_MAX_ATTEMPTS} interrupted attempts; articles over "
            f"{settings.NEWSROOM_LARGE_ARTICLE_CHARS:,} characters go to the `large` queue"
        )
        if not all(c.ok for c in checks):
            raise CommandError("unhealthy", returncode=1)
