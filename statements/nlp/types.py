"""Plain data returned by the pipeline: no spaCy objects, no Django models.

Offsets are Python string indices into the text exactly as given to `annotate`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

QuoteKind = Literal["direct", "indirect", "mixed"]
SpeakerKind = Literal["person", "organisation", "delegation", "country", "group", "unknown"]


@dataclass(frozen=True, slots=True)
class TextSpan:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class SpeakerProfile:
    """One entity of the document-level speaker table."""

    name: str  # canonical form, e.g. "Jens Stoltenberg"
    kind: SpeakerKind = "person"
    role: str = ""  # e.g. "NATO Secretary General"
    country: str | None = None  # ISO 3166-1 alpha-2
    organisation: str | None = None  # e.g. "NATO"
    aliases: list[str] = field(default_factory=list)  # other forms of the NAME (surname, spelling)
    # role noun phrases resolved to this entity ('the foreign minister'): never names, so never
    # to be used to match speakers across documents
    role_mentions: list[str] = field(default_factory=list)
    # a group's members by name ('Qatar', 'Egypt'); a group without members is the unnamed
    # many of one text ('Speakers'), no speaker to match across documents
    members: list[str] = field(default_factory=list)


@dataclass(slots=True)
class QuoteAnnotation:
    start: int
    end: int
    text: str
    kind: QuoteKind
    cue: TextSpan | None
    speaker: int | None  # index into Annotation.speakers, None when unknown
    mention: TextSpan | None  # the words naming the speaker here (name, pronoun, role noun)
    countries: list[str] = field(default_factory=list)  # ISO alpha-2 codes mentioned
    topics: list[str] = field(default_factory=list)  # topic slugs
    # An interrupted quote's quoted pieces (two or more), narration between them left out;
    # empty when the statement is one piece.
    fragments: list[TextSpan] = field(default_factory=list)


@dataclass(slots=True)
class Annotation:
    quotes: list[QuoteAnnotation]
    speakers: list[SpeakerProfile]
    countries: list[str] = field(default_factory=list)  # ISO codes mentioned anywhere
    topics: list[str] = field(default_factory=list)

    def _speaker_json(self, q: QuoteAnnotation) -> dict:
        profile = self.speakers[q.speaker] if q.speaker is not None else None
        return {
            "name": profile.name if profile else None,
            "mention": asdict(q.mention) if q.mention else None,
            "country": profile.country if profile else None,
            "kind": profile.kind if profile else None,
        }

    def to_json(self, *, doc_id: str, source: str) -> dict:
        """The fixed `manage.py annotate` line (docs/architecture.md, "Fixed interfaces")."""
        return {
            "id": doc_id,
            "source": source,
            "quotes": [
                {
                    "start": q.start,
                    "end": q.end,
                    "text": q.text,
                    "kind": q.kind,
                    "cue": asdict(q.cue) if q.cue else None,
                    "speaker": self._speaker_json(q),
                    "countries": q.countries,
                    "topics": q.topics,
                    # optional: only on interrupted quotes, so other lines stay as they were
                    **({"fragments": [asdict(f) for f in q.fragments]} if q.fragments else {}),
                }
                for q in self.quotes
            ],
            "speakers": [asdict(s) for s in self.speakers],
            "countries": self.countries,
            "topics": self.topics,
        }
