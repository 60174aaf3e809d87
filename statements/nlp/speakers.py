"""Document-level speaker table: names, roles, role nouns and pronouns resolved to entities."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Doc, Span, Token

from .countries import country_name, surface_index
from .lexicon import roles
from .names import fold, fold_compact
from .types import SpeakerProfile

MALE = {"he", "him", "his", "himself"}
FEMALE = {"she", "her", "hers", "herself"}
RELATIVE = {"who", "which", "that", "whom"}
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
SKIP_POS = {"DET", "PUNCT", "PART", "SPACE", "CCONJ"}


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


_NOT_PERSON_TITLES = {
    "state", "national", "security", "house", "press", "high", "special", "first", "foreign",
    "defence", "defense", "interior", "finance", "general's", "under", "then", "former",
    "acting", "interim", "senior", "permanent", "deputy", "vice", "prime", "majority",
    "minority", "republican", "democratic", "democrat", "incumbent", "presumptive", "executive",
    "assistant", "chief", "head", "top",
}  # fmt: skip


@cache
def lex_person_titles() -> frozenset[str]:
    """Title words that only people hold ('commissioner', 'spokesman', 'Sen.')."""
    return frozenset(roles().titles - _NOT_PERSON_TITLES)


# Modifiers that say nothing about which office a role noun names ('the former minister').
_INDEFINITE = {"a", "an", "one", "another", "some", "any", "no", "every", "each", "many", "several"}
_NEUTRAL_MODIFIERS = {
    "former", "then", "acting", "interim", "current", "new", "senior", "outgoing", "incoming",
    "top", "veteran", "longtime", "embattled",
}  # fmt: skip
# Ministerial portfolios: a capitalised 'Defence' or 'Health' before a title is a field of
# office, not an organisation ('Defence Minister X', 'Health Ministry spokesman Y').
_PORTFOLIOS = {
    "defence", "defense", "foreign", "interior", "finance", "health", "trade", "economy",
    "economic", "education", "energy", "agriculture", "environment", "transport", "justice",
    "labour", "labor", "culture", "tourism", "commerce", "industry", "treasury", "home",
    "affairs", "development", "communications", "information", "housing", "immigration",
    "science", "technology", "digital", "sport", "sports", "youth", "welfare", "employment",
    "fisheries", "veterans", "policy", "ministry", "department", "office", "cabinet",
}  # fmt: skip


@dataclass
class RolePhrase:
    """What a role noun phrase says about its holder: 'The European Union's foreign policy
    chief' -> anchors [('org', 'European Union', ...)], modifiers ['foreign', 'policy'],
    head 'chief'."""

    anchors: list[tuple[str, str, frozenset[str]]]  # (org|country|name, value, folded words)
    modifiers: list[str]  # folded common words before the head
    head: Token
    compact: str  # the words next to the head without spaces ('secretarygeneral')


def _is_name_word(t: Token) -> bool:
    lex = roles()
    if t.text in lex.organisations or t.text in surface_index():
        return True
    if not t.text[:1].isupper() or t.lower_ in lex.titles or t.lower_ in _PORTFOLIOS:
        return False
    return t.pos_ == "PROPN" or t.ent_type_ in ("ORG", "GPE", "NORP")


def _anchor(run: list[Token]) -> tuple[str, str, frozenset[str]]:
    lex = roles()
    countries = surface_index()
    text = " ".join(t.text for t in run)
    words = frozenset(fold(text).split())
    orgs = _org_map()
    if fold(text) in orgs:
        return "org", orgs[fold(text)], words
    if text in countries:
        return "country", countries[text], words
    for t in run:
        if t.text in lex.organisations:
            return "org", lex.organisations[t.text], words
        if t.text in countries:
            return "country", countries[t.text], words
    return "name", fold(text), words


def role_phrase(span: Span, head: Token) -> RolePhrase:
    """Split the words before a role noun into organisation / country / other proper-name
    anchors (possessive, adjective or compound) and plain modifiers."""
    toks = [t for t in span if t.i < head.i and t.pos_ not in SKIP_POS and t.tag_ != "POS"]
    anchors: list[tuple[str, str, frozenset[str]]] = []
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


def role_compatible(profile: SpeakerProfile, phrase: RolePhrase) -> bool:
    """Whether a person with this profile can be the one a role noun phrase names: the head
    noun is in their role (or is a generic 'chief', 'head', 'leader'), every other role word
    is in it too, and every organisation or country named agrees with theirs."""
    if profile.kind != "person" or not profile.role:
        return False
    lex = roles()
    role_words = set(fold(profile.role).replace("-", " ").split())
    role_key = fold_compact(profile.role)
    for kind, value, words in phrase.anchors:
        if words <= role_words:
            continue
        if kind == "org" and value == profile.organisation:
            continue
        if kind == "country" and value == profile.country:
            continue
        return False
    if len(phrase.compact) > 4 and phrase.compact in role_key:
        return True
    head_words = {fold(phrase.head.lemma_), fold(phrase.head.text)}
    if not head_words & (role_words | lex.generic_heads):
        return False
    return all(w in role_words or w in _NEUTRAL_MODIFIERS for w in phrase.modifiers)


@dataclass
class Entity:
    profile: SpeakerProfile
    tokens: tuple[str, ...]  # folded name tokens
    gender: str | None = None  # from the text: titles, role words, pronouns used of them
    name_gender: str | None = None  # a prior from the first name, weaker than the text

    def likely_gender(self) -> str | None:
        return self.gender or self.name_gender

    aliases: set[str] = field(default_factory=set)  # folded surface forms


class NameVotes:
    """NER labels over all mentions of a name in the document: one label is not trusted."""

    def __init__(self, docs: list[Doc]):
        self.labels: dict[str, Counter] = {}
        self.surnames: set[str] = set()  # last tokens of multi-word PERSON names
        for doc in docs:
            for ent in doc.ents:
                if ent.label_ not in NAME_LABELS:
                    continue
                words = _name_words(ent)
                if not words:
                    continue
                key = fold(" ".join(words))
                self.labels.setdefault(key, Counter())[ent.label_] += 1
                if ent.label_ == "PERSON" and len(words) > 1:
                    self.surnames.add(fold(words[-1]))
                    self.labels.setdefault(fold(words[-1]), Counter())["PERSON"] += 1

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
    """Role words of an apposition ('Jens Stoltenberg, NATO's secretary general, said'):
    a short noun phrase headed by a common noun; relative clauses and the like cut off."""
    if a.pos_ != "NOUN":
        return []
    words = []
    for t in a.subtree:
        if t.i > a.i and t.dep_ in ("relcl", "acl", "punct", "cc", "conj", "advcl"):
            break
        if t.pos_ not in SKIP_POS:
            words.append(t)
    return words if len(words) <= 8 else []


@cache
def _org_map() -> dict[str, str]:
    """Folded organisation surface form -> canonical name."""
    return {fold(k): v for k, v in roles().organisations.items()}


def _org_keys():
    return _org_map().keys()


@dataclass
class Mention:
    """What a subject says about its referent."""

    name: list[Token]  # the proper-name words (person, organisation or country)
    role: list[Token]  # title / role words
    head: Token


def split_mention(span: Span, subj: Token) -> Mention:
    """'NATO Secretary General Jens Stoltenberg' -> name [Jens, Stoltenberg], role [NATO,
    Secretary, General]; 'the NATO chief' -> no name, role [NATO, chief]."""
    lex = roles()
    toks = [t for t in span if t.pos_ not in SKIP_POS and t.tag_ != "POS"]
    # the proper-noun run that ends at (or contains) the head
    run: list[Token] = []
    for t in toks:
        if t.pos_ == "PROPN" or (t.ent_type_ in NAME_LABELS and t.pos_ != "NOUN" and t.is_title):
            run.append(t)
        else:
            run = []
    if run and run[-1].i < subj.i and subj.pos_ != "PROPN":
        run = []
    # strip titles, organisations and countries from the left: they are the role
    countries = surface_index()
    name = list(run)
    while len(name) > 1 and (
        name[0].lower_ in lex.titles
        or name[0].text in lex.organisations
        or name[0].text in countries
        or name[0].ent_type_ == "ORG"
        and name[-1].ent_type_ == "PERSON"
        or name[0].lower_ in _PORTFOLIOS  # 'Health Minister X'
        and name[1].lower_ in lex.titles
    ):
        name.pop(0)
    # 'Migration Minister Eleni X': a person's title inside the run ends the role part
    cut = [k for k, t in enumerate(name[:-1]) if k > 0 and t.lower_ in lex_person_titles()]
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
        if len(words) >= 2 and all(t.is_title for t in words):
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
        for idx in pool:
            ent = self.entities[idx]
            if ent.profile.kind != "person" or not ent.tokens:
                continue
            if tokens == ent.tokens or " ".join(tokens) in ent.aliases:
                return idx
        for idx in pool:
            ent = self.entities[idx]
            if ent.profile.kind != "person" or not ent.tokens:
                continue
            if len(tokens) == 1 and tokens[0] in (ent.tokens[-1], ent.tokens[0]):
                return idx  # surname (or short form) of an earlier full name
            if len(ent.tokens) == 1 and tokens[-1] == ent.tokens[0]:
                return idx  # the earlier mention was the short form
            if (
                len(tokens) > 1
                and tokens[-1] == ent.tokens[-1]
                and tokens[0][:1] == ent.tokens[0][:1]
            ):
                return idx
        return None

    def named(self, m: Mention, span: Span) -> int:
        words = m.name
        text = " ".join(t.text for t in words)
        tokens = tuple(fold(text).split())
        # a surname or short form of a person already named is that person, whatever NER says
        kind = "person" if self._find_person(tokens) is not None else self._kind(words)
        if kind in ("organisation", "unknown") and fold(text) not in self._orgs:
            # NER often tags 'EU trade commissioner Helena Vasquez' as one organisation: a
            # person's title before the name, or a known first name, says otherwise
            titled = any(t.lower_ in lex_person_titles() and t.pos_ in ("NOUN", "PROPN")
                         for t in m.role)  # fmt: skip
            if titled or (len(words) > 1 and first_name_gender(words[0].text)):
                kind = "person"
        role_text = " ".join(t.text for t in m.role).strip()
        if kind == "country":
            code = surface_index()[text]
            return self._country(code, text)
        if kind == "organisation" or kind == "unknown":
            canonical = self._orgs.get(fold(text), text)
            return self._other(canonical, kind, text)
        idx = self._find_person(tokens)
        if idx is None:
            entity = Entity(SpeakerProfile(name=text, kind="person"), tokens)
            entity.name_gender = first_name_gender(words[0].text) if len(words) > 1 else None
            idx = self._add(entity)
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
        if role_text:
            self._set_role(ent, m.role)
        for t in span:
            if t.lower_ in roles().male:
                ent.gender = ent.gender or "male"
            elif t.lower_ in roles().female:
                ent.gender = ent.gender or "female"
        return idx

    def _set_role(self, ent: Entity, role: list[Token]) -> None:
        lex = roles()
        words = [t for t in role if t.lower_ not in ("former", "the", "a", "an")]
        text = " ".join(t.text for t in words).replace(" 's", "'s").replace(" ’s", "’s")
        text = text.replace(" - ", "-").strip()
        if not text or fold(text) in ("mr", "mrs", "ms", "dr"):
            for t in role:
                if t.lower_ in lex.male:
                    ent.gender = ent.gender or "male"
                elif t.lower_ in lex.female:
                    ent.gender = ent.gender or "female"
            return
        if not ent.profile.role or len(text) > len(ent.profile.role):
            ent.profile.role = text
        for t in role:
            if t.text in lex.organisations and not ent.profile.organisation:
                ent.profile.organisation = lex.organisations[t.text]
            elif t.text in surface_index() and not ent.profile.country:
                ent.profile.country = surface_index()[t.text]
            if t.lower_ in lex.male:
                ent.gender = ent.gender or "male"
            elif t.lower_ in lex.female:
                ent.gender = ent.gender or "female"
        if not ent.profile.organisation:
            # an ORG entity, less its title and portfolio words: 'Defence' of 'Defence
            # Minister' is a field of office, not an organisation
            orgs = [
                t
                for t in role
                if t.ent_type_ == "ORG"
                and t.text not in surface_index()
                and t.lower_ not in lex.titles
                and t.lower_ not in _PORTFOLIOS
            ]
            if orgs:
                ent.profile.organisation = " ".join(t.text for t in orgs)

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
        if any(t.like_num or t.lower_ in _INDEFINITE for t in span if t.i < head.i):
            return None
        head_word = fold(head.lemma_)
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
        word = tok.lower_
        if word in MALE or word in FEMALE:
            gender = "male" if word in MALE else "female"
            # the last few people named: one known to be of this gender wins, else the
            # most recent one whose gender is unknown
            recent: list[int] = []
            for idx in reversed(self.history[-16:]):
                if self.entities[idx].profile.kind == "person" and idx not in recent:
                    recent.append(idx)
                if len(recent) == 3:
                    break
            for idx in recent:
                if self.entities[idx].likely_gender() == gender:
                    return idx
            for idx in recent:
                if self.entities[idx].likely_gender() is None:
                    self.entities[idx].gender = gender
                    return idx
            return None
        if word == "it":
            for idx in reversed(self.history[-4:]):
                if self.entities[idx].profile.kind in ("organisation", "country"):
                    return idx
        return None

    def resolve(self, subj: Token, span: Span) -> int | None:
        """Entity index for the subject of a cue (None when unknown)."""
        if subj.lower_ in RELATIVE and subj.head.dep_ == "relcl":
            ante = subj.head.head
            from .cues import mention_span  # local import: cues imports nothing from here

            return self.resolve(ante, mention_span(ante)) if ante is not subj else None
        if subj.pos_ == "PRON" or subj.lower_ in MALE | FEMALE | {"it", "they", "we", "i"}:
            return self.pronoun(subj)
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
            if ent.profile.kind == "person" and appos:
                role = _appos_role(appos[0])
                if role:
                    self._set_role(ent, role)
            return idx
        idx = self.role_noun(m, span)
        if idx is not None:
            return idx
        words = [t for t in span if t.pos_ not in ("DET",) and t.tag_ != "POS"]
        if not words:
            return None
        text = span.doc[words[0].i : words[-1].i + 1].text
        idx = self._other(text, "unknown", text)
        phrase = self._role_phrase_of(m, span)
        if phrase is not None and idx not in self._pending_roles:
            self._pending_roles[idx] = (phrase, span.text)
        return idx

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
            if t.lower_ in MALE:
                ent.gender = "male"
                return
            if t.lower_ in FEMALE:
                ent.gender = "female"
                return
