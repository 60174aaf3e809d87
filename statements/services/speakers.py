"""Speakers: one Speaker per name across all articles, their organisations, unique slugs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Q
from django.utils.text import slugify

from statements.models import Country, Organisation, Speaker, SpeakerAlias
from statements.nlp.names import fold
from statements.nlp.types import SpeakerProfile


def speaker_for_profile(*, profile: SpeakerProfile) -> Speaker | None:
    """The one Speaker for a name across all articles (name variants and accents folded);
    the profile fills in what the stored speaker does not know yet. None for a speaker the
    pipeline could not name ("officials", an unresolved "the minister")."""
    return speakers_for_profiles(profiles=[profile])[0]


def speakers_for_profiles(*, profiles: Sequence[SpeakerProfile]) -> list[Speaker | None]:
    """`speaker_for_profile` for many profiles at once, with the same result as calling it
    on each in turn, in a handful of queries whatever their number.

    Profiles are resolved in order against the stored speakers and aliases *and* those
    made for earlier profiles of the same call, so "Jens Stoltenberg" (alias
    "Stoltenberg") followed by "Stoltenberg" gives one speaker, as it does one by one.
    """
    if not profiles:
        return []
    _lock_speakers()
    resolution = _Resolution(profiles)
    result = [resolution.resolve(p, key) for p, key in zip(profiles, resolution.keys, strict=True)]
    resolution.save(result)
    return result


# Any constant shared by the writers: the key of PostgreSQL's transaction-level lock.
_SPEAKERS_LOCK = 0x5EA4E45


def _lock_speakers() -> None:
    """Serialise looking up and creating speakers between concurrent writers until the
    transaction ends. Without it, two ingests could both miss a name, then one make the
    speaker and the other, seeing that slug taken, a second one under a new slug. SQLite
    serialises writers by itself."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SPEAKERS_LOCK])


class _Resolution:
    """The state of one `speakers_for_profiles` call: what is stored, what it makes."""

    def __init__(self, profiles: Sequence[SpeakerProfile]):
        self.keys = [fold(p.name)[:200] for p in profiles]
        wanted = set(self.keys)
        self.by_key: dict[str, Speaker] = {}
        for speaker in Speaker.objects.filter(search_name__in=wanted).order_by("name", "pk"):
            self.by_key.setdefault(speaker.search_name, speaker)
        by_pk = {s.pk: s for s in self.by_key.values()}
        self.by_alias: dict[str, Speaker] = {}
        aliases = (
            SpeakerAlias.objects.filter(search_name__in=wanted - self.by_key.keys())
            .select_related("speaker")
            .order_by("name", "pk")
        )
        for alias in aliases:
            # One object per stored speaker, so that fill-ins from several profiles add up.
            self.by_alias.setdefault(
                alias.search_name, by_pk.setdefault(alias.speaker_id, alias.speaker)
            )
        codes = {p.country for p in profiles if p.country}
        self.known_countries = (
            set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
            if codes
            else set()
        )
        self.created: list[Speaker] = []
        self.changed: dict[int, Speaker] = {}  # id(speaker) -> speaker, stored speakers only
        self.organisation_of: dict[int, str] = {}  # id(speaker) -> organisation name to set
        self.new_aliases: dict[tuple[int, str], tuple[Speaker, str]] = {}

    def resolve(self, profile: SpeakerProfile, key: str) -> Speaker | None:
        if profile.kind == "unknown" or (profile.kind == "group" and not profile.members):
            # Not a name: "officials" (or the unnamed speakers of a meeting) in two articles
            # are not one speaker. The statement keeps the words as its speaker mention,
            # with no Speaker behind them.
            return None
        speaker = self.by_key.get(key) or self.by_alias.get(key)
        if speaker is None:
            speaker = Speaker(name=profile.name[:200], kind=profile.kind, search_name=key)
            self.created.append(speaker)
            self.by_key[key] = speaker
        if self._fill_in(speaker, profile) and speaker.pk is not None:
            self.changed[id(speaker)] = speaker
        for alias in profile.aliases:
            alias_key = fold(alias)[:200]
            if alias_key and alias_key != speaker.search_name:
                self.new_aliases.setdefault((id(speaker), alias_key), (speaker, alias[:200]))
                self.by_alias.setdefault(alias_key, speaker)
        return speaker

    def _fill_in(self, speaker: Speaker, profile: SpeakerProfile) -> bool:
        """What the speaker does not know yet, from the profile; True if anything changed."""
        changed = False
        if not speaker.role and profile.role:
            speaker.role = profile.role[:200]
            changed = True
        if speaker.country_id is None and profile.country in self.known_countries:
            speaker.country_id = profile.country
            changed = True
        if (
            speaker.organisation_id is None
            and id(speaker) not in self.organisation_of
            and profile.organisation
        ):
            self.organisation_of[id(speaker)] = profile.organisation
            changed = True
        return changed

    def save(self, result: list[Speaker | None]) -> None:
        if self.organisation_of:
            organisations = organisations_for_names(names=list(self.organisation_of.values()))
            for speaker in {id(s): s for s in result if s is not None}.values():
                if id(speaker) in self.organisation_of:
                    speaker.organisation = organisations[self.organisation_of[id(speaker)][:200]]
        if self.created:
            names = [s.name for s in self.created]
            for speaker, slug in zip(self.created, speaker_slugs(names=names), strict=True):
                speaker.slug = slug
            # In slug order: two processes creating the same new speakers then wait on each
            # other (and the loser retries) instead of deadlocking.
            Speaker.objects.bulk_create(sorted(self.created, key=lambda s: s.slug))
        if self.changed:
            Speaker.objects.bulk_update(
                list(self.changed.values()), ["role", "country", "organisation"]
            )
        if self.new_aliases:
            SpeakerAlias.objects.bulk_create(
                [
                    SpeakerAlias(speaker=speaker, name=name, search_name=alias_key)
                    for (_, alias_key), (speaker, name) in self.new_aliases.items()
                ],
                ignore_conflicts=True,  # an alias already stored stays as it is (get_or_create)
            )


def organisations_for_names(*, names: Iterable[str]) -> dict[str, Organisation]:
    """Organisations by (truncated) name, created when missing; two queries, or three."""
    names = list(dict.fromkeys(n[:200] for n in names))
    found = Organisation.objects.in_bulk(names, field_name="name")
    missing = [n for n in names if n not in found]
    if missing:
        Organisation.objects.bulk_create(
            [
                Organisation(name=n, acronym=n if n.isupper() and len(n) <= 10 else "")
                for n in missing
            ],
            ignore_conflicts=True,  # another process may have made it meanwhile
        )
        found.update(Organisation.objects.in_bulk(missing, field_name="name"))
    return found


def speaker_slugs(*, names: Sequence[str]) -> list[str]:
    """A slug per new speaker, unique among stored speakers and among themselves."""
    bases = [slugify(fold(name))[:200] or "speaker" for name in names]
    taken = set(Speaker.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    if taken:
        # Only when a base is taken do the numbered variants matter.
        numbered = Q()
        for base in taken:
            numbered |= Q(slug__startswith=f"{base}-")
        taken.update(Speaker.objects.filter(numbered).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs
