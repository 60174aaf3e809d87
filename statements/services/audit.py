"""The audit trail: every write a person makes is recorded in Django's admin log (LogEntry),
so that the admin shows who uploaded, corrected, merged or re-annotated what. Edits made
through admin forms are logged by the admin itself; services log the rest."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import LogEntry


def audit_log(*, user, objects: Iterable, action_flag: int, message: str) -> None:
    """Record a person's action on objects in the admin log."""
    objects = list(objects)
    if user is None or not objects:
        return
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=objects, action_flag=action_flag, change_message=message
    )
