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


@dataclass(frozen=True)
class SpeakerWords:
    """Word lists of speaker resolution (data/speakers.json)."""

    male: frozenset[str]
    female: frozenset[str]
    plural: frozenset[str]
    relative: frozenset[str]
    not_person_titles: frozenset[str]
    indefinite: frozenset[str]
    neutral_modifiers: frozenset[str]
    portfolios: frozenset[str]
    delegate_nouns: frozenset[str]
    group_nouns: frozenset[str]
    group_name: str
    group_quantifiers: frozenset[str]
    pair_nouns: frozenset[str]
    international_offices: tuple[str, ...]
    national_office_heads: tuple[str, ...]
    document_nouns: frozenset[str]
    name_particles: frozenset[str]
    after_mention: frozenset[str]


@cache
def speaker_words() -> SpeakerWords:
    data = load_data("speakers.json")
    pronouns = data["pronouns"]
    return SpeakerWords(
        male=frozenset(pronouns["male"]),
        female=frozenset(pronouns["female"]),
        plural=frozenset(pronouns["plural"]),
        relative=frozenset(pronouns["relative"]),
        not_person_titles=frozenset(data["not_person_titles"]),
        indefinite=frozenset(data["indefinite"]),
        neutral_modifiers=frozenset(data["neutral_modifiers"]),
        portfolios=frozenset(data["portfolios"]),
        delegate_nouns=frozenset(data["delegate_nouns"]),
        group_nouns=frozenset(data["group_nouns"]),
        group_name=data["group_name"],
        group_quantifiers=frozenset(data["group_quantifiers"]),
        pair_nouns=frozenset(data["pair_nouns"]),
        international_offices=tuple(data["international_offices"]),
        national_office_heads=tuple(data["national_office_heads"]),
        document_nouns=frozenset(data["document_nouns"]),
        name_particles=frozenset(data["name_particles"]),
        after_mention=frozenset(data["after_mention"]),
    )
