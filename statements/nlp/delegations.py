"""States as speakers: delegations ('the representative of Mexico', 'Mexico's delegate'),
the State a person speaks for, and groups ('Qatar and Egypt', 'many speakers')."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

from .countries import surface_index
from .lexicon import roles, speaker_words
from .names import fold

MAX_COUNTRY_WORDS = 7  # 'the United Kingdom of Great Britain and Northern Ireland'


def _span_text(tokens: Sequence[Token]) -> str:
    doc = tokens[0].doc
    return doc[tokens[0].i : tokens[-1].i + 1].text


def country_of_text(text: str) -> str | None:
    """ISO code of a country surface form ('the Russian Federation', 'Lao People’s
    Democratic Republic'), typographic apostrophes and a leading 'the' allowed."""
    index = surface_index()
    for form in (text, text.replace("’", "'")):
        code = index.get(form)
        if code is None and form[:4].lower() == "the ":
            code = index.get(form[4:])
        if code is not None:
            return code
    return None


@dataclass(frozen=True)
class CountryHit:
    code: str
    start: int  # token index of the first word
    end: int  # token index after the last word


def countries_in(tokens: Sequence[Token]) -> list[CountryHit]:
    """Country names among contiguous tokens, longest first at each position, so that
    'Equatorial Guinea' is not also Guinea and 'the Russian Federation' not 'Russian'."""
    hits: list[CountryHit] = []
    i, n = 0, len(tokens)
    while i < n:
        found = None
        for j in range(min(n, i + MAX_COUNTRY_WORDS), i, -1):
            if tokens[j - 1].i - tokens[i].i != j - 1 - i:
                continue  # not contiguous in the text
            code = country_of_text(_span_text(tokens[i:j]))
            if code is not None:
                found = CountryHit(code, tokens[i].i, tokens[j - 1].i + 1)
                break
        if found is None:
            i += 1
            continue
        hits.append(found)
        i += found.end - found.start
    return hits


def organisation_of_text(text: str) -> str | None:
    """Canonical organisation for a surface form ('the UN', 'United Nations')."""
    orgs = {fold(k): v for k, v in roles().organisations.items()}
    key = fold(text)
    if key.startswith("the "):
        key = key[4:]
    return orgs.get(key)


@dataclass(frozen=True)
class Delegation:
    """'Ukraine's Permanent Representative to the United Nations' -> country UA, accredited
    to the United Nations; the noun is the word naming the delegate."""

    country: str
    organisation: str | None
    noun: Token


def is_delegate_noun(tok: Token) -> bool:
    words = speaker_words().delegate_nouns
    return tok.tag_ in ("NN", "NNP") and (tok.lower_ in words or tok.lemma_.lower() in words)


def _accredited_to(noun: Token) -> tuple[str | None, set[int]]:
    """The organisation of 'representative to the United Nations' and the token indexes of
    that phrase (they never name the sending State)."""
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "to":
            words = [t for t in prep.subtree if t.i != prep.i]
            if words:
                return organisation_of_text(_span_text(words)), {t.i for t in prep.subtree}
    return None, set()


def delegation_of(noun: Token) -> Delegation | None:
    """The delegation a delegate noun names: the country before it ('Mexico's delegate',
    'the Mexican delegate') or in its 'of' / 'for' phrase ('the representative of Mexico',
    'the observer for the State of Palestine')."""
    if not is_delegate_noun(noun):
        return None
    organisation, skip = _accredited_to(noun)
    before = [t for t in noun.subtree if t.i < noun.i and t.i not in skip]
    hits = countries_in(before)
    if not hits:
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ in ("of", "for", "from"):
                hits = countries_in([t for t in prep.subtree if t.i != prep.i])
                if hits:
                    break
    if len(hits) != 1:
        return None  # none, or 'the delegates of Chile and Peru': not one delegation
    return Delegation(hits[0].code, organisation, noun)


def delegations_of(noun: Token) -> list[Delegation]:
    """'the representatives of Chile and Peru': one delegation per country named."""
    if noun.tag_ not in ("NNS", "NNPS"):
        return []
    lemma = noun.lemma_.lower()
    if lemma not in speaker_words().delegate_nouns:
        return []
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in ("of", "for", "from"):
            hits = countries_in([t for t in prep.subtree if t.i != prep.i])
            codes = list(dict.fromkeys(h.code for h in hits))
            return [Delegation(code, None, noun) for code in codes]
    return []


def speaks_for(noun: Token) -> Token:
    """'the representative of Venezuela, on behalf of the Non-Aligned Movement, who ...':
    a relative clause hung on the group spoken for belongs to the delegate."""
    tok = noun
    for _ in range(3):
        prep = tok.head
        if tok.dep_ != "pobj" or prep.lower_ != "of" or prep.head.lower_ != "behalf":
            return tok
        on = prep.head.head if prep.head.dep_ == "pobj" else prep.head
        tok = on.head if on.head is not on else on
    return tok


def group_kind(span: Span, subj: Token) -> str | None:
    """'speakers' for unnamed many ('delegates', 'several delegations', 'many'), 'pair' for
    'both countries', 'the two sides'; None otherwise."""
    words = speaker_words()
    lemma = subj.lemma_.lower()
    if subj.tag_ == "NNPS" and lemma.endswith("s"):
        lemma = lemma[:-1]  # headlines: 'Delegates Urge ...' keeps its plural as the lemma
    if subj.tag_ in ("NNS", "NNPS") and (lemma in words.pair_nouns or lemma in words.group_nouns):
        if any(t.lower_ in ("both", "two") for t in span if t.i < subj.i):
            return "pair" if lemma in words.pair_nouns else None
        if lemma in words.group_nouns and not countries_in([t for t in span if t.i < subj.i]):
            return "speakers"
        return None
    quantifier = subj.lower_ in words.group_quantifiers and subj.pos_ in ("PRON", "DET", "ADJ")
    if quantifier and not any(c.dep_ == "prep" for c in subj.children):
        return "speakers"  # 'many said', not 'many of the States said'
    return None


def international_role(role: str) -> bool:
    """An office of an international organisation ('Under-Secretary-General for ...')."""
    key = fold(role).replace("-", " ")
    return any(office in key for office in speaker_words().international_offices)


def national_role(role: str) -> bool:
    """An office held for one State ('Foreign Office Spokesperson', 'Deputy Foreign Minister')."""
    key = f" {fold(role)} "
    return any(f" {word} " in key for word in speaker_words().national_office_heads)


def home_country(headline: list[str], mentions: list[str]) -> str | None:
    """The country a text is about, for national offices it names without a State: the
    first country of the headline (headlines lead with the actor), else the country
    mentioned clearly most often."""
    if headline:
        return headline[0]
    counts = Counter(mentions).most_common(2)
    if not counts:
        return None
    if len(counts) == 1 or counts[0][1] >= 1.5 * counts[1][1]:
        return counts[0][0]
    return None
