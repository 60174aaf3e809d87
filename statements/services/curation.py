"""Staff corrections: statements fixed by hand (validated against the article body, marked
verified so re-annotation keeps them), statements deleted, speakers merged."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, DELETION
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from statements.models import Article, Quote, Speaker, SpeakerAlias
from statements.services.audit import audit_log

# Statement fields staff may correct; `text` is always re-derived from the article body.
QUOTE_CORRECTABLE_FIELDS = (
    "speaker",
    "kind",
    "start",
    "end",
    "cue_start",
    "cue_end",
    "mention_start",
    "mention_end",
    "is_deleted",
    "countries",
    "topics",
)


def span_errors(*, body: str, start, end, label: str = "statement") -> list[str]:
    """What is wrong with a span of an article body, in words for the person editing it."""
    if start is None or end is None:
        return [f"Give both the start and the end of the {label}."]
    if start < 0 or end > len(body):
        return [
            f"The {label} span {start}–{end} is outside the article text "
            f"(0–{len(body)} characters)."
        ]
    if start >= end:
        return [f"The {label} must end after it starts ({start}–{end})."]
    if not body[start:end].strip():
        return [f"The {label} span {start}–{end} holds only white space."]
    return []


def span_find(*, body: str, text: str, near: int | None = None) -> tuple[int, int]:
    """Offsets of `text` in an article body (staff paste the words instead of counting
    characters); the occurrence nearest `near` when it appears more than once."""
    needle = text.strip()
    if not needle:
        raise ValueError("Give the words to find.")
    starts = [m.start() for m in re.finditer(re.escape(needle), body)]
    if not starts:
        raise ValueError("These words are not in the article text (check spacing and quote marks).")
    if len(starts) > 1 and near is None:
        raise ValueError(
            f"These words appear {len(starts)} times; give a start offset near the one you mean."
        )
    start = min(starts, key=lambda s: abs(s - (near or 0)))
    return start, start + len(needle)


def _optional_span(body: str, start, end, label: str) -> list[str]:
    if start is None and end is None:
        return []
    return span_errors(body=body, start=start, end=end, label=label)


def quote_errors(*, quote: Quote) -> dict[str, list[str]]:
    """Validation of a statement's spans against its article body, by field name."""
    body = quote.article.body
    errors = {
        "end": span_errors(body=body, start=quote.start, end=quote.end),
        "cue_end": _optional_span(body, quote.cue_start, quote.cue_end, "cue"),
        "mention_end": _optional_span(body, quote.mention_start, quote.mention_end, "mention"),
    }
    return {field: messages for field, messages in errors.items() if messages}


@transaction.atomic
def quote_update(*, quote: Quote, user, **fields) -> Quote:
    """Apply a staff correction to a statement (new or stored) and mark it verified.

    `fields` are among QUOTE_CORRECTABLE_FIELDS. The text, cue text and mention text are
    re-derived from the article body, so they always match the offsets. Raises
    `django.core.exceptions.ValidationError` when a span does not fit the article.
    """
    unknown = set(fields) - set(QUOTE_CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"not correctable: {', '.join(sorted(unknown))}")
    countries = fields.pop("countries", None)
    topics = fields.pop("topics", None)
    for name, value in fields.items():
        setattr(quote, name, value)
    errors = quote_errors(quote=quote)
    if errors:
        raise ValidationError(errors)

    body = quote.article.body
    quote.text = body[quote.start : quote.end]
    quote.cue_text = (
        body[quote.cue_start : quote.cue_end][:200] if quote.cue_start is not None else ""
    )
    quote.mention_text = (
        body[quote.mention_start : quote.mention_end][:300]
        if quote.mention_start is not None
        else ""
    )
    if quote.pk is None:
        quote.position = _position_for(article=quote.article, start=quote.start)
    quote.verified = True
    quote.verified_by = user
    quote.verified_at = timezone.now()
    quote.save()
    if countries is not None:
        quote.countries.set(countries)
    if topics is not None:
        quote.topics.set(topics)
    return quote


def _position_for(*, article: Article, start: int) -> int:
    """Order of a new statement within its article: after the statements that start before."""
    before = article.quotes.filter(start__lte=start).order_by("-position").first()
    return before.position if before else 0


def quotes_delete(*, quotes: Iterable[Quote], user) -> int:
    """Soft-delete statements: hidden from readers, kept as tombstones so that re-annotation
    does not bring them back. Counts as a correction (verified, by whom, when)."""
    ids = [q.pk for q in quotes]
    return Quote.objects.filter(pk__in=ids).update(
        is_deleted=True, verified=True, verified_by=user, verified_at=timezone.now()
    )


@transaction.atomic
def speakers_merge(*, keep: Speaker, merge: Speaker, user) -> Speaker:
    """Make `merge` part of `keep`: its statements and aliases move, its name becomes an
    alias (so that re-annotation finds `keep` for it), blanks in `keep` are filled from it,
    and `merge` is deleted.

    Moved statements keep their verified state: the merge says who spoke, not that the
    machine-made spans are right, and the alias already makes the merge survive
    re-annotation.
    """
    if keep.pk == merge.pk:
        raise ValueError("cannot merge a speaker into itself")
    keep = Speaker.objects.select_for_update().get(pk=keep.pk)
    merge = Speaker.objects.select_for_update().get(pk=merge.pk)

    moved = Quote.objects.filter(speaker=merge).update(speaker=keep)
    taken = {keep.search_name, *keep.aliases.values_list("search_name", flat=True)}
    new_aliases = [(merge.name, merge.search_name)] + list(
        merge.aliases.values_list("name", "search_name")
    )
    added = []
    for name, key in new_aliases:
        if key and key not in taken:
            taken.add(key)
            added.append(SpeakerAlias(speaker=keep, name=name, search_name=key))
    SpeakerAlias.objects.bulk_create(added)

    changed = []
    for field in ("role", "country_id", "organisation_id"):
        if not getattr(keep, field) and getattr(merge, field):
            setattr(keep, field, getattr(merge, field))
            changed.append(field.removesuffix("_id"))
    if keep.kind == Speaker.Kind.UNKNOWN and merge.kind != Speaker.Kind.UNKNOWN:
        keep.kind = merge.kind
        changed.append("kind")
    if changed:
        keep.save(update_fields=changed)

    audit_log(
        user=user,
        objects=[keep],
        action_flag=CHANGE,
        message=(
            f"Merged speaker “{merge.name}” (id {merge.pk}) into this one: "
            f"{moved} statement{'s' if moved != 1 else ''} moved, "
            f"{len(added)} alias{'es' if len(added) != 1 else ''} added."
        ),
    )
    audit_log(
        user=user,
        objects=[merge],
        action_flag=DELETION,
        message=f"Merged into speaker “{keep.name}” (id {keep.pk}).",
    )
    merge.delete()
    return keep
