"""Data files of the pipeline (cue words, roles, organisations), loaded once per process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_data(name: str) -> dict:
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return json.load(f)


@dataclass(frozen=True)
class CueLexicon:
    speech: frozenset[str]
    appeal: frozenset[str]
    objects: frozenset[str]
    intent: frozenset[str]
    naming: frozenset[str]
    parenthetical: frozenset[str]
    prepositional: dict[str, frozenset[str]]
    nouns: frozenset[str]
    source_preps: tuple[tuple[str, ...], ...]
    pronouns: frozenset[str]
    irregular_forms: dict[str, str]  # inflected form -> lemma
    vague_objects: frozenset[str]
    object_needs_label: frozenset[str]
    object_label_preps: frozenset[str]
    evidence_only: dict[str, frozenset[str]]  # verb -> evidence accepted besides a clause
    stance_phrases: dict[str, frozenset[str]]  # verb -> nouns ('expressed concern')
    documents: frozenset[str]  # drafts and resolutions, whose provisions are no statements
    bodies: frozenset[str]  # bodies that adopt them
    adoption_verbs: frozenset[str]
    meeting_business: frozenset[str]

    def has(self, construction: str, lemma: str) -> bool:
        """Whether `lemma` is a cue of the construction named like a field ('speech')."""
        return lemma in getattr(self, construction)

    @property
    def verbs(self) -> frozenset[str]:
        return (
            self.speech
            | self.appeal
            | self.objects
            | self.intent
            | frozenset(self.prepositional)
            | frozenset(self.stance_phrases)
        )


@cache
def cues() -> CueLexicon:
    data = load_data("cues.json")
    return CueLexicon(
        speech=frozenset(data["speech"]),
        appeal=frozenset(data["appeal"]),
        objects=frozenset(data["object"]),
        intent=frozenset(data.get("intent", ())),
        naming=frozenset(data.get("naming", ())),
        parenthetical=frozenset(data.get("parenthetical", ())),
        prepositional={k: frozenset(v) for k, v in data["prepositional"].items()},
        nouns=frozenset(data["nouns"]),
        source_preps=tuple(tuple(p) for p in data["source_preps"]),
        pronouns=frozenset(data["pronouns"]),
        irregular_forms=dict(data["irregular_forms"]),
        vague_objects=frozenset(data["vague_objects"]),
        object_needs_label=frozenset(data["object_needs_label"]),
        object_label_preps=frozenset(data["object_label_preps"]),
        evidence_only={k: frozenset(v) for k, v in data["evidence_only"].items()},
        stance_phrases={k: frozenset(v) for k, v in data["stance_phrases"].items()},
        documents=frozenset(data["provisions"]["documents"]),
        bodies=frozenset(data["provisions"]["bodies"]),
        adoption_verbs=frozenset(data["provisions"]["adoption_verbs"]),
        meeting_business=frozenset(data["meeting_business"]),
    )


@dataclass(frozen=True)
class RoleLexicon:
    titles: frozenset[str]
    generic_heads: frozenset[str]
    generic_bodies: frozenset[str]
    male: frozenset[str]
    female: frozenset[str]
    organisations: dict[str, str]  # surface form -> canonical organisation name


@cache
def roles() -> RoleLexicon:
    data = load_data("roles.json")
    orgs: dict[str, str] = {}
    for name, aliases in data["organisations"].items():
        orgs[name] = name
        for alias in aliases:
            orgs.setdefault(alias, name)
    return RoleLexicon(
        titles=frozenset(data["titles"]),
        generic_heads=frozenset(data["generic_role_heads"]),
        generic_bodies=frozenset(data.get("generic_bodies", ())),
        male=frozenset(data["gender"]["male"]),
        female=frozenset(data["gender"]["female"]),
        organisations=orgs,
    )
