"""Document-level speaker table: names, roles, role nouns and pronouns resolved to entities."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Doc, Span, Token

from .countries import country_name, surface_index
from .delegations import (
    Delegation,
    countries_in,
    country_of_text,
    delegation_of,
    delegations_of,
    group_kind,
    international_role,
    is_delegate_noun,
    national_role,
    speaks_for,
)
from .lexicon import roles, speaker_words
from .names import fold, fold_compact
from .types import SpeakerProfile

NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
SKIP_POS = {"DET", "PUNCT", "PART", "SPACE", "CCONJ"}
SPEAKING_KINDS = ("person", "delegation")  # who 'he' / 'she' can be


@cache
def _gender_detector():
    try:  # optional: gender-guesser's first-name table (pip install gender-guesser==0.4.0)
        from gender_guesser.detector import Detector
    except ImportError:
        return None
    return Detector(case_sensitive=False)


def first_name_gender(name: str) -> str | None:
    """'male' / 'female' when a first name is clearly one or the other, else None."""
    detector = _gender_detector()
    if detector is None or not name.isalpha():
        return None
    guess = detector.get_gender(name)
    return {"male": "male", "female": "female"}.get(guess)


@cache
def lex_person_titles() -> frozenset[str]:
    """Title words that only people hold ('commissioner', 'spokesman', 'Sen.')."""
    return frozenset(roles().titles - speaker_words().not_person_titles)


@dataclass(frozen=True)
class Anchor:
    """A proper name before a role noun: 'European Union' in 'the European Union's chief'."""

    kind: str  # org | country | name
    value: str  # canonical organisation, ISO code, or the folded name
    words: frozenset[str]  # its folded words


@dataclass
class RolePhrase:
    """What a role noun phrase says about its holder: 'The European Union's foreign policy
    chief' -> anchors [Anchor('org', 'European Union', ...)], modifiers ['foreign',
    'policy'], head 'chief'."""

    anchors: list[Anchor]
    modifiers: list[str]  # folded common words before the head
    head: Token
    compact: str  # the words next to the head without spaces ('secretarygeneral')


def _is_name_word(t: Token) -> bool:
    lex = roles()
    if t.text in lex.organisations or t.text in surface_index():
        return True
    if not t.text[:1].isupper() or t.lower_ in lex.titles or t.lower_ in speaker_words().portfolios:
        return False
    return t.pos_ == "PROPN" or t.ent_type_ in ("ORG", "GPE", "NORP")


def _anchor(run: list[Token]) -> Anchor:
    lex = roles()
    countries = surface_index()
    text = " ".join(t.text for t in run)
    words = frozenset(fold(text).split())
    orgs = _org_map()
    if fold(text) in orgs:
        return Anchor("org", orgs[fold(text)], words)
    if text in countries:
        return Anchor("country", countries[text], words)
    for t in run:
        if t.text in lex.organisations:
            return Anchor("org", lex.organisations[t.text], words)
        if t.text in countries:
            return Anchor("country", countries[t.text], words)
    return Anchor("name", fold(text), words)


def role_phrase(span: Span, head: Token) -> RolePhrase:
    """Split the words before a role noun into organisation / country / other proper-name
    anchors (possessive, adjective or compound) and plain modifiers."""
    toks = [t for t in span if t.i < head.i and t.pos_ not in SKIP_POS and t.tag_ != "POS"]
    anchors: list[Anchor] = []
    modifiers: list[str] = []
    i = 0
    while i < len(toks):
        if _is_name_word(toks[i]):
            run = [toks[i]]
            i += 1
            while i < len(toks) and _is_name_word(toks[i]) and toks[i].i == run[-1].i + 1:
                run.append(toks[i])
                i += 1
            anchors.append(_anchor(run))
            continue
        t = toks[i]
        if t.is_alpha and (not t.is_stop or t.lower_ in roles().titles):
            modifiers.append(fold(t.text))
        i += 1
    near = [t for t in toks if t.i >= head.i - 2 and not _is_name_word(t)] + [head]
    compact = fold_compact(" ".join(t.text for t in near))
    return RolePhrase(anchors, modifiers, head, compact)


def _anchor_agrees(anchor: Anchor, profile: SpeakerProfile, role_words: set[str]) -> bool:
    """An organisation, country or name before a role noun agrees with a person's role:
    its words are in it, it is their organisation or country, or it is the initials of
    words of the role ('the FO spokesperson' of a Foreign Office Spokesperson)."""
    kind, value = anchor.kind, anchor.value
    if anchor.words <= role_words:
        return True
    if kind == "org" and value == profile.organisation:
        return True
    if kind == "country" and value == profile.country:
        return True
    initials = "".join(w[0] for w in fold(profile.role).split())
    return kind == "name" and len(value) >= 2 and " " not in value and value in initials


def role_compatible(profile: SpeakerProfile, phrase: RolePhrase) -> bool:
    """Whether a person with this profile can be the one a role noun phrase names: the head
    noun is in their role (or is a generic 'chief', 'head', 'leader'), every other role word
    is in it too, and every organisation or country named agrees with theirs."""
    if profile.kind != "person" or not profile.role:
        return False
    lex = roles()
    role_words = set(fold(profile.role).replace("-", " ").split())
    role_key = fold_compact(profile.role)
    if not all(_anchor_agrees(anchor, profile, role_words) for anchor in phrase.anchors):
        return False
    if len(phrase.compact) > 4 and phrase.compact in role_key:
        return True
    head_words = {fold(phrase.head.lemma_), fold(phrase.head.text)}
    if not head_words & (role_words | lex.generic_heads):
        return False
    return all(w in role_words or w in speaker_words().neutral_modifiers for w in phrase.modifiers)


@dataclass
class Entity:
    profile: SpeakerProfile
    tokens: tuple[str, ...]  # folded name tokens
    gender: str | None = None  # from the text: titles, role words, pronouns used of them
    name_gender: str | None = None  # a prior from the first name, weaker than the text

    def likely_gender(self) -> str | None:
        return self.gender or self.name_gender

    aliases: set[str] = field(default_factory=set)  # folded surface forms
    international: bool = False  # holds an office of an international organisation
    members: tuple[int, ...] = ()  # a group's entities ('Qatar and Egypt')


def _personal_name(ent: Span, words: list[str]) -> bool:
    """A person's full name: tagged so, or capitalised words opening with a known first
    name that NER took for an organisation ('Moussa Faki Mahamat')."""
    if ent.label_ == "PERSON":
        return True
    return all(w[:1].isupper() for w in words) and first_name_gender(words[0]) is not None


class NameVotes:
    """NER labels over all mentions of a name in the document: one label is not trusted."""

    def __init__(self, docs: list[Doc]):
        self.labels: dict[str, Counter] = {}
        self.surnames: set[str] = set()  # last tokens of multi-word PERSON names
        self.full_names: dict[str, set[Span]] = {}  # folded word -> PERSON names holding it
        for doc in docs:
            for ent in doc.ents:
                if ent.label_ not in NAME_LABELS:
                    continue
                words = _name_words(ent)
                if not words:
                    continue
                key = fold(" ".join(words))
                self.labels.setdefault(key, Counter())[ent.label_] += 1
                if len(words) > 1 and _personal_name(ent, words):
                    for w in words:
                        self.full_names.setdefault(fold(w), set()).add(ent)
                if ent.label_ == "PERSON" and len(words) > 1:
                    self.surnames.add(fold(words[-1]))
                    self.labels.setdefault(fold(words[-1]), Counter())["PERSON"] += 1

    def full_name(self, word: str) -> Span | None:
        """The one multi-word person name of the document holding this word ('Faki' ->
        'Moussa Faki Mahamat'), None when there are none or several."""
        spans = self.full_names.get(word, set())
        if len({fold(" ".join(_name_words(s))) for s in spans}) != 1:
            return None
        return min(spans, key=lambda s: s.start)

    def label(self, key: str) -> str | None:
        votes = self.labels.get(key)
        if not votes:
            return None
        if key in self.surnames:
            return "PERSON"
        return votes.most_common(1)[0][0]


def _name_words(span: Span) -> list[str]:
    lex = roles()
    words = [t.text for t in span if t.pos_ not in SKIP_POS and t.tag_ != "POS"]
    while words and words[0].lower() in lex.titles:
        words.pop(0)
    return words


def _appos_role(a: Token) -> list[Token]:
    """Role words of an apposition ('Jens Stoltenberg, NATO's secretary general, said';
    'X, Minister for Foreign Affairs of Andorra, said'): a short noun phrase headed by a
    common noun or a title; relative clauses and the like cut off."""
    titled = a.lower_ in roles().titles or a.lower_ in speaker_words().delegate_nouns
    if a.pos_ != "NOUN" and not (a.pos_ == "PROPN" and titled):
        return []
    # a title's own coordination stays ('Minister of Foreign Affairs and Trade of X')
    stops = ("relcl", "acl", "punct", "advcl") if titled else ("relcl", "acl", "punct", "cc",
                                                               "conj", "advcl")  # fmt: skip
    words = []
    for t in a.subtree:
        if t.i > a.i and t.dep_ in stops:
            break
        if t.pos_ not in SKIP_POS:
            words.append(t)
    return words if len(words) <= (14 if titled else 8) else []


@cache
def _org_map() -> dict[str, str]:
    """Folded organisation surface form -> canonical name."""
    return {fold(k): v for k, v in roles().organisations.items()}


def _org_keys():
    return _org_map().keys()


def _first_name_before_person(t: Token) -> bool:
    doc = t.doc
    return (
        t.is_title
        and t.is_alpha
        and t.lower_ not in roles().titles
        and t.i + 1 < len(doc)
        and doc[t.i + 1].ent_iob_ == "B"
        and doc[t.i + 1].ent_type_ == "PERSON"
        and not t.is_sent_start
    )


def _country_after_name(last: Token) -> str | None:
    """'Ana Ruiz (Mexico) said', 'Ana Ruiz of Mexico said': the State a meeting participant
    speaks for."""
    for prep in last.children:
        if prep.dep_ == "prep" and prep.lower_ in ("of", "from"):
            phrase = [t for t in prep.subtree if t.i != prep.i]
            hits = countries_in(phrase)
            inside = len(hits) == 1 and all(
                hits[0].start <= t.i < hits[0].end for t in phrase if not t.is_stop
            )
            if inside:
                return hits[0].code  # the whole phrase is the country: not 'of the Bank of X'
    doc = last.doc
    if last.i + 2 >= len(doc) or doc[last.i + 1].text != "(":
        return None
    for j in range(last.i + 2, min(len(doc), last.i + 9)):
        if doc[j].text == ")":
            return country_of_text(doc[last.i + 2 : j].text) if j > last.i + 2 else None
    return None


@dataclass
class Mention:
    """What a subject says about its referent."""

    name: list[Token]  # the proper-name words (person, organisation or country)
    role: list[Token]  # title / role words
    head: Token


def _role_text(words: list[Token]) -> str:
    """The role as the text writes it ('Norway's permanent representative to the United
    Nations') when its words are one stretch of text; else the words joined."""
    if not words:
        return ""
    doc, kept = words[0].doc, {t.i for t in words}
    stretch = doc[words[0].i : words[-1].i + 1]
    if all(t.i in kept or t.pos_ in ("DET", "ADP", "PART") or t.text == "-" for t in stretch):
        return stretch.text.strip()
    text = " ".join(t.text for t in words).replace(" 's", "'s").replace(" ’s", "’s")
    return text.replace(" - ", "-").strip()


def _possessive(t: Token) -> bool:
    return t.lower_ in ("'s", "’s", "'", "’")


def _head_run(toks: list[Token], subj: Token) -> list[Token]:
    """The proper-noun run holding the head ('Ana Ruiz' of 'Ana Ruiz of Chile'), else a
    person's name after a role head ('Representative to NATO Ana Ruiz'); a name after
    the head that is no person is its complement ('Minister for External Affairs')."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for t in toks:
        if t.pos_ == "PROPN" or (t.ent_type_ in NAME_LABELS and t.pos_ != "NOUN" and t.is_title):
            run.append(t)
            continue
        if run:
            runs.append(run)
        # 'Shafqat' of 'Shafqat Ali Khan' when NER starts at 'Ali'
        run = [t] if _first_name_before_person(t) else []
    if run:
        runs.append(run)
    after = [r for r in runs if r[0].i > subj.i and any(t.ent_type_ == "PERSON" for t in r)]
    for run in runs:
        if run[0].i <= subj.i <= run[-1].i:
            titled = all(t.ent_type_ != "PERSON" for t in run)  # 'U.S. Representative to ...'
            return after[-1] if after and titled else run
    return after[-1] if after else []


def split_mention(span: Span, subj: Token) -> Mention:
    """'NATO Secretary General Jens Stoltenberg' -> name [Jens, Stoltenberg], role [NATO,
    Secretary, General]; 'the NATO chief' -> no name, role [NATO, chief]."""
    lex = roles()
    toks = [t for t in span if t.pos_ not in SKIP_POS and t.tag_ != "POS" and not _possessive(t)]
    if toks and country_of_text(span.doc[toks[0].i : toks[-1].i + 1].text):
        return Mention(toks, [], subj)  # 'the Republic of Moldova'
    run = _head_run(toks, subj)
    if run and country_of_text(span.doc[run[0].i : run[-1].i + 1].text):
        return Mention(run, [t for t in toks if t.i < run[0].i], subj)  # 'the Russian Federation'
    # strip titles, organisations and countries from the left: they are the role
    countries = surface_index()
    name = list(run)
    while len(name) > 1 and (
        name[0].lower_ in lex.titles
        or name[0].text in lex.organisations
        or name[0].text in countries
        or name[0].ent_type_ == "ORG"
        and name[-1].ent_type_ == "PERSON"
        or name[0].lower_ in speaker_words().portfolios  # 'Health Minister X'
        and name[1].lower_ in lex.titles
        or len(name) > 2  # 'Commission Ana Maria Ruiz'
        and name[0].lower_ in lex.generic_bodies
        and name[1].lower_ not in lex.generic_bodies
    ):
        name.pop(0)
    # 'Migration Minister Eleni X': a person's title inside the run ends the role part
    cut = [
        k
        for k, t in enumerate(name[:-1])
        if k > 0
        and t.lower_ in lex_person_titles()
        or t.lower_ in lex.generic_bodies
        and len(name) - k > 2  # 'Commission Ana Ruiz'
    ]
    if cut:
        name = name[cut[-1] + 1 :]
    if name and name[0].lower_ in lex.titles and len(name) == 1:
        name = []
    name_text = " ".join(t.text for t in name)
    if name and fold(name_text) not in _org_keys() and name_text not in countries:
        last = fold(name[-1].text)
        role_words = lex_person_titles() | lex.generic_heads
        if (last.endswith("s") and last[:-1] in role_words) or (
            len(name) == 1 and last in lex.generic_bodies
        ):
            name = []  # 'Fellow Ministers', 'Senior Officials', 'The Bloc': common nouns
    first = name[0].i if name else span.end
    role = [t for t in toks if t.i < first]
    if not name:
        role = toks
    return Mention(name, role, subj)


def _body_words(words: list[Token]) -> bool:
    """Words no person's name holds: 'Sixth Committee', 'Development Efforts'."""
    lex = roles()
    return any(
        t.lower_ in lex.generic_bodies
        or t.lower_ in speaker_words().portfolios
        or t.tag_ in ("NNS", "NNPS")
        or t.ent_type_ == "ORDINAL"
        for t in words
    )


def _short_form_of(tokens: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether a name is a short form of a fuller one: its surname or first name, any
    other word of a long name ('Faki' of 'Moussa Faki Mahamat'), or 'J. Smith'."""
    if len(tokens) == 1:
        word = tokens[0]
        if word in (full[-1], full[0]):
            return True
        return len(full) >= 3 and word in full and word not in speaker_words().name_particles
    if len(full) == 1:
        return tokens[-1] == full[0]  # the earlier mention was the short form
    if len(tokens) < len(full) and full[-len(tokens) :] == tokens:
        return True  # 'Ali Khan' of 'Shafqat Ali Khan'
    return tokens[-1] == full[-1] and tokens[0][:1] == full[0][:1]


def _comma_subjects(subj: Token) -> list[Token]:
    doc = subj.doc
    if subj.dep_ != "nsubj" or subj.i + 2 >= len(doc) or doc[subj.i + 1].text != ",":
        return []
    nxt = doc[subj.i + 2]
    following = [t for t in doc[subj.i + 2 : subj.head.i] if t.dep_ == "nsubj"]
    return following if following and following[0].head is subj.head and nxt.pos_ == "PROPN" else []


def _trim_mention(span: Span, subj: Token) -> Span:
    """The mention without a trailing circumstance ('the ministry in a press release')."""
    for t in span:
        if (
            t.i > subj.i
            and t.dep_ == "prep"
            and t.head is subj
            and t.lower_ in speaker_words().after_mention
        ):
            return span.doc[span.start : t.i]
    return span


class SpeakerTable:
    def __init__(self, docs: list[Doc]):
        self.votes = NameVotes(docs)
        self.entities: list[Entity] = []
        self.history: list[int] = []  # entity indexes of subjects, in text order
        self._person_by_token: dict[str, list[int]] = {}  # folded name word -> persons
        self._by_key: dict[tuple[str, str], int] = {}  # (kind, folded name or code) -> entity
        self._pending_roles: dict[int, tuple[RolePhrase, str]] = {}  # unresolved role phrases
        lex = roles()
        self._orgs = {fold(k): v for k, v in lex.organisations.items()}

    # -- creation and lookup -------------------------------------------------------------
    def _kind(self, words: list[Token]) -> str:
        text = " ".join(t.text for t in words)
        key = fold(text)
        if key in self._orgs:
            return "organisation"
        if text in surface_index():
            return "country"
        label = self.votes.label(key)
        if label == "PERSON":
            return "person"
        if label in ("ORG", "FAC"):
            return "organisation"
        if label == "NORP":
            return "organisation"
        if any(t.ent_type_ == "PERSON" for t in words):
            return "person"
        if len(words) >= 2 and all(t.is_title for t in words) and not _body_words(words):
            return "person"
        return "unknown"

    def _add(self, entity: Entity) -> int:
        self.entities.append(entity)
        idx = len(self.entities) - 1
        self._index_person(idx)
        return idx

    def _index_person(self, idx: int) -> None:
        ent = self.entities[idx]
        if ent.profile.kind != "person":
            return
        for tok in ent.tokens:
            bucket = self._person_by_token.setdefault(tok, [])
            if idx not in bucket:
                bucket.append(idx)

    def _find_person(self, tokens: tuple[str, ...]) -> int | None:
        pool = sorted({i for t in tokens for i in self._person_by_token.get(t, ())}, reverse=True)
        people = [i for i in pool if self.entities[i].profile.kind == "person"]
        people = [i for i in people if self.entities[i].tokens]
        for idx in people:
            ent = self.entities[idx]
            if tokens == ent.tokens or " ".join(tokens) in ent.aliases:
                return idx
        for idx in people:
            if _short_form_of(tokens, self.entities[idx].tokens):
                return idx
        return None

    def named(self, m: Mention, span: Span) -> int:
        words = m.name
        text = " ".join(t.text for t in words)
        tokens = tuple(fold(text).split())
        kind = self._named_kind(m, words, tokens)
        if kind == "country":
            code = country_of_text(text) or ""
            last = self._last_speaker_of(code)
            return last if last is not None else self._country(code, text)
        if kind == "organisation" or kind == "unknown":
            idx = self._other(self._orgs.get(fold(text), text), kind, text)
            self._country_from_words(idx, words)  # 'the Qatari Foreign Ministry'
            return idx
        idx = self._person(words, text, tokens)
        ent = self.entities[idx]
        if m.role:
            self._set_role(ent, m.role)
        self._gender_from(ent, list(span))
        return idx

    def _last_speaker_of(self, code: str) -> int | None:
        """'Ana Ruiz (Chile) said ... . Chile would continue to ...': the State named right
        after its own delegate spoke is that delegate's voice."""
        if not self.history:
            return None
        ent = self.entities[self.history[-1]]
        if ent.profile.kind in SPEAKING_KINDS and ent.profile.country == code:
            return self.history[-1]
        return None

    def _named_kind(self, m: Mention, words: list[Token], tokens: tuple[str, ...]) -> str:
        # a surname or short form of a person already named is that person, whatever NER says
        if self._find_person(tokens) is not None:
            return "person"
        if len(tokens) == 1 and self.votes.full_name(tokens[0]) is not None:
            return "person"  # 'Park' of 'Park Jin', named elsewhere in the text
        kind = self._kind(words)
        if kind in ("organisation", "unknown") and " ".join(tokens) not in self._orgs:
            # NER often tags 'EU trade commissioner Helena Vasquez' as one organisation: a
            # person's title before the name, or a known first name, says otherwise
            titled = any(t.lower_ in lex_person_titles() and t.pos_ in ("NOUN", "PROPN")
                         for t in m.role)  # fmt: skip
            if titled or (len(words) > 1 and first_name_gender(words[0].text)):
                return "person"
        return kind

    def _person(self, words: list[Token], text: str, tokens: tuple[str, ...]) -> int:
        """The person entity of a name, created on first mention; a short form ('Faki')
        takes the document's one full name holding it ('Moussa Faki Mahamat')."""
        idx = self._find_person(tokens)
        full = self.votes.full_name(tokens[0]) if idx is None and len(tokens) == 1 else None
        if full is not None:
            words = [t for t in full if t.pos_ not in SKIP_POS and t.tag_ != "POS"]
            words = [t for t in words if t.lower_ not in roles().titles] or words
            text = " ".join(t.text for t in words)
            tokens = tuple(fold(text).split())
            idx = self._find_person(tokens)
        if idx is None:
            entity = Entity(SpeakerProfile(name=text, kind="person"), tokens)
            entity.name_gender = first_name_gender(words[0].text) if len(words) > 1 else None
            idx = self._add(entity)
            if full is not None:
                self._role_of_full_name(self.entities[idx], full)
        self._merge_name(idx, words, text, tokens)
        return idx

    def _merge_name(self, idx: int, words: list[Token], text: str, tokens: tuple[str, ...]):
        ent = self.entities[idx]
        if len(tokens) > len(ent.tokens):  # the fuller form becomes the canonical name
            if ent.profile.name not in ent.profile.aliases:
                ent.profile.aliases.append(ent.profile.name)
            ent.profile.name, ent.tokens = text, tokens
            if ent.name_gender is None and len(words) > 1:
                ent.name_gender = first_name_gender(words[0].text)
            self._index_person(idx)
        elif text != ent.profile.name and text not in ent.profile.aliases:
            ent.profile.aliases.append(text)
        ent.aliases.add(" ".join(tokens))

    def _role_of_full_name(self, ent: Entity, full: Span) -> None:
        """The role words around a full name met outside a speech act ('South Korean
        counterpart Park Jin'; 'Park Jin, South Korea's foreign minister')."""
        from .cues import mention_span  # local import: cues imports nothing from here

        root = full.root
        m = split_mention(mention_span(root), root)
        if m.role:
            self._set_role(ent, m.role)
        for a in root.children:
            if a.dep_ == "appos":
                role = _appos_role(a)
                if role:
                    self._set_role(ent, role)

    def _gender_from(self, ent: Entity, words: list[Token]) -> None:
        lex = roles()
        for t in words:
            if t.lower_ in lex.male:
                ent.gender = ent.gender or "male"
            elif t.lower_ in lex.female:
                ent.gender = ent.gender or "female"

    def _set_role(self, ent: Entity, role: list[Token]) -> None:
        self._gender_from(ent, role)
        words = [t for t in role if t.lower_ not in ("former", "the", "a", "an")]
        text = _role_text(words)
        if not text or fold(text) in ("mr", "mrs", "ms", "dr"):
            return
        if not ent.profile.role or len(text) > len(ent.profile.role):
            ent.profile.role = text
        self._role_organisation(ent, role)
        self._role_country(ent, role, text)

    def _role_organisation(self, ent: Entity, role: list[Token]) -> None:
        lex = roles()
        for t in role:
            if t.text in lex.organisations and not ent.profile.organisation:
                ent.profile.organisation = lex.organisations[t.text]
        if not ent.profile.organisation:
            # an ORG entity, less its title and portfolio words: 'Defence' of 'Defence
            # Minister' is a field of office, not an organisation
            orgs = [
                t
                for t in role
                if t.ent_type_ == "ORG"
                and t.text not in surface_index()
                and t.lower_ not in lex.titles
                and t.lower_ not in speaker_words().portfolios
            ]
            if orgs:
                ent.profile.organisation = " ".join(t.text for t in orgs)

    def _role_country(self, ent: Entity, role: list[Token], text: str) -> None:
        """The State a person speaks for, from their role: 'Russia's ambassador to the UN'
        (the sending State, accredited to the UN), 'Minister for Foreign Affairs of Andorra';
        none for officials of international organisations ('UN Under-Secretary-General')."""
        if international_role(text):
            ent.international = True
            ent.profile.country = None
            return
        if ent.international or ent.profile.country:
            return
        for t in role:
            delegation = delegation_of(t)
            if delegation is not None:
                ent.profile.country = delegation.country
                ent.profile.organisation = delegation.organisation or ent.profile.organisation
                return
        codes = {h.code for h in countries_in(role)}
        if len(codes) == 1:
            ent.profile.country = codes.pop()

    def _country_from_words(self, idx: int, words: list[Token]) -> None:
        """A State's body or office named with its country ('Qatari Foreign Ministry',
        'a U.S. military official') speaks for that country."""
        profile = self.entities[idx].profile
        if profile.country or profile.kind not in ("organisation", "unknown"):
            return
        if fold(profile.name) in self._orgs or international_role(profile.name):
            return
        codes = {h.code for h in countries_in(words)}
        if len(codes) == 1:
            profile.country = codes.pop()

    def _country(self, code: str, surface: str) -> int:
        idx = self._by_key.get(("country", code))
        if idx is not None:
            ent = self.entities[idx]
            if surface != ent.profile.name and surface not in ent.profile.aliases:
                ent.profile.aliases.append(surface)
            return idx
        profile = SpeakerProfile(name=country_name(code), kind="country", country=code)
        if surface != profile.name:
            profile.aliases.append(surface)
        idx = self._add(Entity(profile, tuple(fold(profile.name).split())))
        self._by_key["country", code] = idx
        return idx

    def _delegation(self, delegation: Delegation, surface: str) -> int:
        """One speaker per delegation: 'Representative of Mexico', with its country."""
        code = delegation.country
        idx = self._by_key.get(("delegation", code))
        if idx is None:
            name = f"Representative of {country_name(code)}"
            profile = SpeakerProfile(
                name=name,
                kind="delegation",
                country=code,
                organisation=delegation.organisation,
            )
            idx = self._add(Entity(profile, tuple(fold(name).split())))
            self._by_key["delegation", code] = idx
        mentions = self.entities[idx].profile.role_mentions
        if surface not in mentions:
            mentions.append(surface)
        return idx

    def _group(self, name: str, surface: str, members: tuple[int, ...] = ()) -> int:
        """A group speaker: the unnamed many of a meeting ('Speakers') or named members
        ('Qatar and Egypt'); the words naming it are role mentions, never aliases."""
        idx = self._by_key.get(("group", fold(name)))
        if idx is None:
            names = [self.entities[i].profile.name for i in members]
            profile = SpeakerProfile(name=name, kind="group", members=names)
            idx = self._add(Entity(profile, tuple(fold(name).split()), members=members))
            self._by_key["group", fold(name)] = idx
        mentions = self.entities[idx].profile.role_mentions
        if surface != name and surface not in mentions:
            mentions.append(surface)
        return idx

    def _other(self, name: str, kind: str, surface: str) -> int:
        key = fold(name)
        idx = self._by_key.get((kind, key))
        if idx is not None:
            ent = self.entities[idx]
            if surface != ent.profile.name and surface not in ent.profile.aliases:
                ent.profile.aliases.append(surface)
            return idx
        profile = SpeakerProfile(name=name, kind=kind)  # type: ignore[arg-type]
        if surface != name:
            profile.aliases.append(surface)
        idx = self._add(Entity(profile, tuple(key.split()), aliases={key}))
        self._by_key[kind, key] = idx
        return idx

    # -- resolution ----------------------------------------------------------------------
    def _role_phrase_of(self, m: Mention, span: Span) -> RolePhrase | None:
        """The role phrase of a nameless singular mention naming an office ('the minister',
        'Greek minister', 'the NATO chief'), None for 'officials', 'one official', 'the bloc'."""
        lex = roles()
        words = [t for t in m.role if not t.is_stop or t.lower_ in lex.titles]
        head = m.head
        if not words or head.tag_ not in ("NN", "NNP"):
            return None
        if any(t.like_num or t.lower_ in speaker_words().indefinite for t in span if t.i < head.i):
            return None
        head_word = fold(head.lemma_)
        if head_word in lex.generic_bodies or head_word in speaker_words().portfolios:
            return None  # 'the foreign office', 'the ministry': a body, not its spokesperson
        if (
            head_word not in lex.titles
            and head_word not in lex.generic_heads
            and not any(t.lower_ in lex.titles for t in words)
        ):
            return None  # 'the family', 'the report': not an office
        return role_phrase(span, head)

    def role_noun(self, m: Mention, span: Span) -> int | None:
        """'the secretary-general', 'the NATO chief' -> the person holding that role."""
        # only a definite, singular role noun names one person: 'the minister', 'the NATO
        # chief' - not 'officials', 'Central European leaders' or 'one official'
        definite = any(t.dep_ == "det" and t.lower_ in ("the", "this") for t in span)
        phrase = self._role_phrase_of(m, span) if definite else None
        if phrase is None:
            return None
        for idx in reversed(self.history[-60:]):
            ent = self.entities[idx]
            if role_compatible(ent.profile, phrase):
                if span.text not in ent.profile.role_mentions:
                    ent.profile.role_mentions.append(span.text)
                return idx
        return None

    def later_roles(self) -> dict[int, int]:
        """Role phrases no earlier person fitted ('Greek minister' in a headline, before
        'Greek Minister Eleni X' is named): entity index -> the one person of the whole
        document whose role fits, when exactly one does."""
        out: dict[int, int] = {}
        for idx, (phrase, surface) in self._pending_roles.items():
            fits = [
                j
                for j, ent in enumerate(self.entities)
                if j != idx and role_compatible(ent.profile, phrase)
            ]
            if len(fits) == 1:
                out[idx] = fits[0]
                mentions = self.entities[fits[0]].profile.role_mentions
                if surface not in mentions:
                    mentions.append(surface)
        return out

    def pronoun(self, tok: Token) -> int | None:
        words = speaker_words()
        word = tok.lower_
        if word in words.male or word in words.female:
            return self._personal(tok, "male" if word in words.male else "female")
        if word in words.plural:
            return self._plural()
        if word == "it":
            for idx in reversed(self.history[-4:]):
                if self.entities[idx].profile.kind in ("organisation", "country"):
                    return idx
        return None

    def _personal(self, tok: Token, gender: str) -> int | None:
        """'he' / 'she': a delegation that just spoke ('The representative of Mexico said
        ... She added'), else the last few people named: one known to be of this gender
        wins, else the most recent one whose gender is unknown."""
        recent: list[int] = []
        for idx in reversed(self.history[-16:]):
            if self.entities[idx].profile.kind in SPEAKING_KINDS and idx not in recent:
                recent.append(idx)
            if len(recent) == 3:
                break
        last = self.entities[recent[0]] if recent else None
        if last is not None and last.profile.kind == "delegation" and last.gender in (None, gender):
            last.gender = gender
            return recent[0]
        for idx in recent:
            if self.entities[idx].likely_gender() == gender:
                return idx
        for idx in recent:
            if self.entities[idx].likely_gender() is None:
                self.entities[idx].gender = gender
                return idx
        return None

    def _plural(self, pair: bool = False) -> int | None:
        """'they', 'both countries': the group that spoke last, when one spoke just before;
        else nobody (a guess would be worse than no speaker)."""
        for idx in reversed(self.history[-4:]):
            ent = self.entities[idx]
            if ent.profile.kind == "group" and (ent.members or not pair):
                return idx
        return None

    def resolve(self, subj: Token, span: Span) -> int | None:
        """Entity index for the subject of a cue (None when unknown)."""
        if subj.lower_ in speaker_words().relative and subj.head.dep_ == "relcl":
            ante = speaks_for(subj.head.head)
            from .cues import mention_span  # local import: cues imports nothing from here

            return self.resolve(ante, mention_span(ante)) if ante is not subj else None
        if subj.pos_ == "PRON" and subj.lower_ not in speaker_words().group_quantifiers:
            return self.pronoun(subj)
        if subj.lower_ in {"he", "she", "it", "they", "we", "i"}:
            return self.pronoun(subj)
        span = _trim_mention(span, subj)
        for step in (self._as_group, self._as_delegation, self._as_document):
            found = step(subj, span)
            if found is not None:
                return found if found >= 0 else None
        return self._as_mention(subj, span)

    def _as_group(self, subj: Token, span: Span) -> int | None:
        """Groups: 'delegates', 'many' -> Speakers; 'Qatar and Egypt' -> that pair;
        'both countries' -> the pair that spoke last (-1: none, leave unresolved)."""
        kind = group_kind(span, subj)
        delegations = delegations_of(subj) if kind == "speakers" else []
        if len(delegations) > 1:  # 'the representatives of Chile and Peru'
            members = tuple(self._delegation(d, span.text) for d in delegations)
            names = [country_name(d.country) for d in delegations]
            name = f"Representatives of {', '.join(names[:-1])} and {names[-1]}"
            return self._group(name, span.text, members)
        if kind == "speakers":
            return self._group(speaker_words().group_name, span.text)
        if kind == "pair":
            found = self._plural(pair=True)
            return -1 if found is None else found
        return self._conjoined(subj, span)

    def _conjoined(self, subj: Token, span: Span) -> int | None:
        from .cues import mention_span  # local import: cues imports nothing from here

        heads = [subj] + [c for c in subj.children if c.dep_ == "conj"]
        heads += _comma_subjects(subj)  # headlines: 'Chile, Peru urge calm'
        appos = [c for c in subj.children if c.dep_ == "appos"]
        if len(heads) == 1 and appos:  # 'the foreign ministers, A and B, said'
            heads = [appos[0]] + [c for c in appos[0].children if c.dep_ == "conj"]
        if len(heads) < 2 or any(h.pos_ != "PROPN" for h in heads):
            return None
        members = []
        for h in heads:
            idx = self._as_mention(h, span if h is subj else mention_span(h))
            if idx is None or self.entities[idx].profile.kind == "unknown":
                return None
            members.append(idx)
        names = [self.entities[i].profile.name for i in members]
        return self._group(" and ".join(names), span.text, tuple(members))

    def _as_document(self, subj: Token, span: Span) -> int | None:
        """'a joint US-Saudi statement said' -> the States that issued it; 'the statement
        said' -> whoever spoke last (-1: nobody yet, leave unresolved)."""
        if subj.tag_ != "NN" or subj.lemma_.lower() not in speaker_words().document_nouns:
            return None
        hits = countries_in([t for t in span if t.i < subj.i])
        doc = subj.doc
        members = tuple(
            dict.fromkeys(self._country(h.code, doc[h.start : h.end].text) for h in hits)
        )
        if len(members) == 1:
            return members[0]
        if members:
            names = [self.entities[i].profile.name for i in members]
            return self._group(" and ".join(names), span.text, members)
        if not any(t.lower_ == "the" for t in span) or any(c.dep_ == "poss" for c in subj.children):
            return None  # 'a statement', 'Mexico's statement': not this rule's
        return self.history[-1] if self.history else -1

    def _as_delegation(self, subj: Token, span: Span) -> int | None:
        """'the representative of Mexico', 'Mexico's delegate': the delegation, unless an
        apposition names the person ('..., Ana Ruiz, said'), who then speaks for Mexico."""
        delegation = delegation_of(subj)
        if delegation is None:
            return self._last_delegation(subj, span)
        named = any(t.ent_type_ == "PERSON" for t in span)
        if named or any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in subj.children):
            return None  # the named person: resolved as a mention, country from the role
        return self._delegation(delegation, span.text)

    def _last_delegation(self, subj: Token, span: Span) -> int | None:
        """'The delegate added ...' with no State named: the delegation that just spoke."""
        definite = any(t.lower_ in ("the", "that", "this") for t in span if t.i < subj.i)
        if not (is_delegate_noun(subj) and definite and len(span) <= 3):
            return None
        for idx in reversed(self.history[-4:]):
            if self.entities[idx].profile.kind == "delegation":
                return idx
        return None

    def _as_mention(self, subj: Token, span: Span) -> int | None:
        m = split_mention(span, subj)
        appos = [c for c in subj.children if c.dep_ == "appos"]
        if not m.name and appos:
            # 'NATO's secretary general, Jens Stoltenberg, said'
            other = split_mention(appos[0].doc[appos[0].left_edge.i : appos[0].right_edge.i + 1],
                                  appos[0])  # fmt: skip
            if other.name:
                m = Mention(other.name, m.role + other.role, other.head)
        if m.name:
            idx = self.named(m, span)
            ent = self.entities[idx]
            code = _country_after_name(m.name[-1]) if ent.profile.kind == "person" else None
            if code and not ent.international:
                ent.profile.country = code
            for a in appos if ent.profile.kind == "person" else ():
                role = _appos_role(a)  # 'X (Chile), Under-Secretary-General ...': not the first
                if role:
                    self._set_role(ent, role)
                    break
            return idx
        idx = self.role_noun(m, span)
        if idx is not None:
            return idx
        return self._role_speaker(m, span)

    def _role_speaker(self, m: Mention, span: Span) -> int | None:
        """A role phrase no earlier person fits ('a U.S. military official'): a speaker of
        its own, with the country its words name."""
        words = [t for t in span if t.pos_ not in ("DET",) and t.tag_ != "POS"]
        if not words:
            return None
        text = span.doc[words[0].i : words[-1].i + 1].text
        idx = self._other(text, "unknown", text)
        self._country_from_words(idx, words)
        phrase = self._role_phrase_of(m, span)
        if phrase is not None and idx not in self._pending_roles:
            self._pending_roles[idx] = (phrase, span.text)
        return idx

    def assign_home_country(self, code: str | None) -> None:
        """National offices named without their State ('the Foreign Office spokesperson')
        speak for the country the text is about."""
        if code is None:
            return
        for ent in self.entities:
            profile = ent.profile
            if profile.country or ent.international or profile.kind not in (
                "person", "organisation", "unknown",
            ):  # fmt: skip
                continue
            role = profile.role if profile.kind == "person" else profile.name
            if national_role(role) and not international_role(role):
                profile.country = code

    def note_subject(self, idx: int | None) -> None:
        if idx is not None:
            self.history.append(idx)

    def gender_hint(self, idx: int | None, after: Token) -> None:
        """'X said ... her country': the first he/she word after X's cue in the same sentence
        (with no other person named between) tells X's gender."""
        if idx is None:
            return
        ent = self.entities[idx]
        if ent.profile.kind != "person" or ent.gender:
            return
        for t in after.doc[after.i + 1 : after.sent.end]:
            if t.ent_type_ == "PERSON":
                return
            if t.lower_ in speaker_words().male:
                ent.gender = "male"
                return
            if t.lower_ in speaker_words().female:
                ent.gender = "female"
                return
