"""Cue detection: which words introduce a statement, and where its content and source are.

Works on one parsed spaCy Doc at a time and returns plain candidates with character
offsets relative to that Doc; `attribution.py` merges them with quotation marks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from .lexicon import CueLexicon, cues

CUE_MATCHER = "newsroom_cues"  # pipeline component; its matches are doc.spans[CUE_SPANS]
CUE_SPANS = "newsroom_cues"
SUBJECT_DEPS = {"nsubj"}
PASSIVE_DEPS = {"nsubjpass", "csubjpass", "auxpass"}
VERBAL_DEPS = {"ROOT", "ccomp", "conj", "advcl", "xcomp", "relcl", "parataxis", "acl", "pcomp"}
STANCE_CONTENT_DEPS = {"prep", "acl", "ccomp", "advcl"}  # 'concern about X', 'hope that X'
NOMINAL_DEPS = {"amod", "compound", "nsubj", "dobj", "pobj"}  # a cue word used as a noun


@dataclass(slots=True)
class Candidate:
    """A cue with its content and source (character offsets into the Doc)."""

    start: int
    end: int
    cue: Token
    cue_end: int  # end char of the (possibly multiword) cue
    subject: Token | None
    kind: str = "indirect"
    via: str = "ccomp"  # how the content was found: ccomp, appeal, object, prep, according
    mention: tuple[int, int] | None = None  # token range naming the source, if not subject's

    @property
    def cue_start(self) -> int:
        return self.cue.idx


@cache
def _forms() -> dict[str, str]:
    """Inflected word form -> lemma for every cue verb (the lemmatiser is not always right)."""
    lex = cues()
    out: dict[str, str] = {}
    for lemma in lex.verbs:
        out[lemma] = lemma
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms = [lemma + "s", lemma + "es", lemma + "d", lemma + "ed", stem + "ing", stem + "ed"]
        if lemma.endswith("y"):
            forms += [lemma[:-1] + "ies", lemma[:-1] + "ied"]
        for form in forms:
            out.setdefault(form, lemma)
    out.update(lex.irregular_forms)
    return out


def cue_forms() -> frozenset[str]:
    """Every word form of every cue verb."""
    return _form_set()


@cache
def _form_set() -> frozenset[str]:
    return frozenset(_forms())


class CueMatcher:
    """Pipeline component: marks cue verbs, cue nouns and source phrases ('according to') in
    `doc.spans[CUE_SPANS]`, labelled VERB, VERB_LEMMA, NOUN or SOURCE_PREP."""

    def __init__(self, vocab: Vocab):
        lex = cues()
        self.matcher = Matcher(vocab)
        self.matcher.add("VERB", [[{"LOWER": {"IN": sorted(_forms())}}]])
        self.matcher.add("VERB_LEMMA", [[{"LEMMA": {"IN": sorted(lex.verbs)}, "POS": "VERB"}]])
        self.matcher.add("SOURCE_PREP", [[{"LOWER": w} for w in p] for p in lex.source_preps])
        self.matcher.add("NOUN", [[{"LEMMA": {"IN": sorted(lex.nouns)}, "POS": "NOUN"}]])

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[CUE_SPANS] = self.matcher(doc, as_spans=True)
        return doc


@Language.factory(CUE_MATCHER)
def make_cue_matcher(nlp: Language, name: str) -> CueMatcher:
    return CueMatcher(nlp.vocab)


def cue_lemma(tok: Token) -> str | None:
    forms = _forms()
    lemma = tok.lemma_.lower()
    if lemma in forms and forms[lemma] == lemma:
        return lemma
    return forms.get(tok.lower_)


def stance_only(lemma: str) -> bool:
    """Whether a cue verb reports speech only with its stance noun ('made an appeal')."""
    lex = cues()
    other = lex.speech | lex.appeal | lex.objects | lex.intent | frozenset(lex.prepositional)
    return lemma in lex.stance_phrases and lemma not in other


def subject_of(verb: Token) -> Token | None:
    """The speaker-side subject of a cue verb, inherited through conjunctions, participles
    ('..., adding that') and control verbs ('appeared to suggest')."""
    v = verb
    for _ in range(4):
        passive = False
        for c in v.children:
            if c.dep_ in SUBJECT_DEPS:
                return c
            if c.dep_ in PASSIVE_DEPS:
                passive = True
        if passive:
            return None
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head is not v:
            v = v.head
        elif v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head is not v.head:
            v = v.head.head  # 'began by saying', 'after saying
        elif v.dep_ == "ccomp" and v.head is not v and (v is not verb or cue_lemma(v.head)):
            # 'X said A and added B' is often parsed with 'added' as a clause of 'said'
            v = v.head
        else:
            return None
    return None


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token range [start, end) without leading/trailing punctuation (quote marks kept out)."""
    while start < end and (doc[start].is_punct or doc[start].is_space) and doc[start].text != "$":
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _chars(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    start, end = _trim(doc, start, end)
    if end <= start:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


def _rightmost(*toks: Token | None) -> int:
    return max(t.right_edge.i for t in toks if t is not None) + 1


def _child(tok: Token, deps: set[str], after: int = -1) -> Token | None:
    for c in tok.children:
        if c.dep_ in deps and c.i > after:
            return c
    return None


def _clause_content(verb: Token, heirs: dict[int, Token] | None = None) -> tuple[int, int] | None:
    """The clausal complement of a cue, without a second cue of the same speaker hanging off
    its right end ('X said A and called on B', 'X said A, citing B'): that cue is recorded in
    `heirs` with X's subject so that it gets its own statement."""
    comps = [c for c in verb.children if c.dep_ == "ccomp"]
    if not comps:
        return None
    c = comps[0]
    if len(comps) > 1:
        # 'Writing for X that all agreed Y won, Z noted that ...': the that-clause after
        # the cue is what was said, not a clause the parser hung before it
        marked = [
            x for x in comps if any(m.dep_ == "mark" and m.lower_ == "that" for m in x.children)
        ]
        c = (marked or comps)[0]
    doc = c.doc
    right = c.right_edge.i + 1
    for t in doc[c.i + 1 : right]:
        if (
            t.dep_ in ("conj", "advcl")
            and t.head.i >= c.i
            and cue_lemma(t)
            and _child(t, SUBJECT_DEPS) is None
            and doc[t.i - 1].dep_ in ("cc", "punct")
            and t.right_edge.i + 1 >= right - 1
        ):
            right = t.i
            while right > c.i + 1 and doc[right - 1].dep_ in ("cc", "punct"):
                right -= 1
            if heirs is not None:
                subj = subject_of(verb)
                if subj is not None:
                    heirs[t.i] = subj
            break
    for t in c.rights:
        # 'X said A, but he refuses B': a second full clause after a comma is the writer's
        if (
            t.dep_ == "conj"
            and t.i < right
            and _child(t, SUBJECT_DEPS) is not None
            and t.i >= 2
            and doc[t.left_edge.i - 1].dep_ == "cc"
            and doc[t.left_edge.i - 2].text == ","
        ):
            right = t.left_edge.i - 2
            break
    left = c.left_edge.i
    if left < verb.i < c.i:
        left = verb.i + 1  # 'which X says he is doing': the pronoun before the cue stays out
    return left, right


def candidates(doc: Doc, headline_end: int = 0) -> list[Candidate]:
    """Statement candidates from the dependency parse and the cue matches the pipeline left
    on the Doc. `headline_end`: char offset where the first line ends when it is a headline
    ('X calls for Y, says Z')."""
    out: list[Candidate] = []
    seen: set[int] = set()
    heirs: dict[int, Token] = {}  # cue token -> subject inherited from an enclosing cue
    adoption = _reports_adoption(doc)
    for match in doc.spans[CUE_SPANS]:
        cand = None
        tok = doc[match.start]
        if match.label_ == "SOURCE_PREP":
            cand = _according(doc, match.start, match.end)
        elif tok.i in seen:
            continue
        elif match.label_ == "NOUN":
            cand = _noun_candidate(doc, tok)
        elif _verbal(tok) and (lemma := cue_lemma(tok)) is not None:
            seen.add(tok.i)
            cand = _verb_candidate(_Cue(doc, tok, lemma, headline_end, heirs))
            if cand is not None and _provision(cand, adoption):
                cand = None
        if cand is not None:
            out.append(cand)
    return out


def _reports_adoption(doc: Doc) -> bool:
    """Whether the text reports the adoption of a resolution or draft ('adopting resolution
    2304', 'the text was approved')."""
    lex = cues()
    strings, lemmas = doc.vocab.strings, doc.to_array("LEMMA").tolist()
    # each distinct lemma looked up once, not once per token
    verbs = {h for h in set(lemmas) if strings[h].lower() in lex.adoption_verbs}
    for i, lemma in enumerate(lemmas):
        if lemma in verbs:
            for c in doc[i].children:
                if c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in lex.documents:
                    return True
    return False


def _provision(cand: Candidate, adoption: bool) -> bool:
    """What a draft or resolution says, reported with the document or its adopting body as
    the subject: 'the text would urge', 'the Assembly would call on', and in coverage of an
    adoption 'the Council demanded'."""
    lex = cues()
    subj = cand.subject
    if subj is None:
        return False
    head = subj.lemma_.lower()
    if head in lex.documents:
        return True
    if head not in lex.bodies:
        return False
    would = any(c.dep_ == "aux" and c.lower_ == "would" for c in cand.cue.children)
    return adoption or would


def _verbal(tok: Token) -> bool:
    if tok.dep_ == "amod" and _stance_noun(tok) is not None:
        return True  # 'Voicing concern over X, ...' parsed as an adjective of 'concern'
    if tok.pos_ not in ("VERB", "AUX") and tok.dep_ not in VERBAL_DEPS:
        return False
    return tok.dep_ not in NOMINAL_DEPS


def _stance_noun(v: Token) -> Token | None:
    """The stance noun a stance verb governs ('expressed *concern*'), or the one it was
    parsed as modifying ('Voicing concern' as adjective + noun)."""
    nouns = cues().stance_phrases.get(cue_lemma(v) or "")
    if not nouns:
        return None
    noun = v.head if v.dep_ == "amod" and v.head.i > v.i else _child(v, {"dobj"}, v.i)
    if noun is None or (noun.lemma_.lower() not in nouns and noun.lower_ not in nouns):
        return None
    return noun


@dataclass(slots=True)
class _Cue:
    """A cue verb being read: the Doc, the verb, its cue lemma and its subject so far."""

    doc: Doc
    verb: Token
    lemma: str
    headline_end: int
    heirs: dict[int, Token]
    subj: Token | None = None

    def __post_init__(self) -> None:
        self.subj = self.heirs.get(self.verb.i) or subject_of(self.verb)

    @property
    def in_headline(self) -> bool:
        return self.verb.idx < self.headline_end and self.verb.i + 1 < self.verb.sent.end


class _Found(NamedTuple):
    """What one construction found: the content's token range, how, where the cue ends, and
    the source when the construction names it (passives) rather than the subject."""

    start: int
    end: int
    via: str
    cue_end: Token | None = None
    source: Token | None = None


def _verb_candidate(cue: _Cue) -> Candidate | None:
    lex = cues()
    found = _headline_lead(cue) if lex.has("speech", cue.lemma) else None
    for constructions, rule in CONSTRUCTIONS:
        if found is not None:
            break
        if any(lex.has(c, cue.lemma) for c in constructions):
            found = rule(cue, lex)
            if found is not None and rule is not _clause and not _evidence(cue, found, lex):
                found = None  # 'held talks', 'agreed to meet': no speech without evidence
    if found is None:
        return None
    found = _antecedent(found, cue.doc)
    subj = found.source or cue.subj
    if subj is None:
        return None
    v, s, e = cue.verb, found.start, found.end
    if found.via == "prep" and _participle_without_clause(v, s, e):
        return None
    if found.via != "parenthetical" and (s <= v.i < e or s <= subj.i < e):
        # the content never holds its own cue or source (but 'A, X said, B' spans both parts)
        return None
    chars = _chars(cue.doc, s, e)
    if chars is None:
        return None
    end_tok = found.cue_end or _particle(cue, lex) or v
    return Candidate(chars[0], chars[1], v, end_tok.idx + len(end_tok), subj, via=found.via)


RELATIVE_PRONOUNS = {"which", "that", "who", "whom"}


def _antecedent(found: _Found, doc: Doc) -> _Found:
    """'the quota, which was insisted on by X' / 'the plan, which X denounced': content
    that is only a relative pronoun is the noun phrase the relative clause hangs on."""
    pron = doc[found.start]
    if found.end - found.start != 1 or pron.lower_ not in RELATIVE_PRONOUNS:
        return found
    clause = pron.head
    if clause.dep_ != "relcl" or clause.head.i > pron.i:
        return found
    noun = clause.head
    while noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.pos_ == "NOUN":
        noun = noun.head.head  # 'a quota of five percent, which ...': the whole phrase
    return found._replace(start=noun.left_edge.i, end=min(clause.left_edge.i, pron.i))


ANIMATE_ENTS = {"PERSON", "ORG", "NORP", "GPE"}


def _evidence(cue: _Cue, found: _Found, lex: CueLexicon) -> bool:
    """Whether content found for a verb that is speech only with evidence shows speech:
    any construction for other verbs; for 'back', 'agree', 'propose' and the like only the
    evidence their lexicon entry accepts."""
    accepted = lex.evidence_only.get(cue.lemma)
    if accepted is None:
        return True
    head = cue.doc[found.start : found.end].root
    if "endorsement" in accepted and found.via in ("object", "passive"):
        return _animate(head)  # 'backed the candidate', not 'backed the bid'
    if "stance_with" in accepted and found.via == "prep":
        return found.cue_end is not None and found.cue_end.lower_ == "with" and _animate(head)
    if "person_object" in accepted and found.via == "object":
        return head.ent_type_ == "PERSON" or head.lower_ in ("him", "her")
    if "proposal" in accepted and found.via in ("object", "intent"):
        return head.tag_ == "VBG"  # 'proposed cutting taxes', not 'proposed a meeting'
    return False


def _animate(tok: Token) -> bool:
    """A person, group or party named or referred to ('him', 'Democrats', 'the rebels')."""
    if tok.ent_type_ in ANIMATE_ENTS:
        return True
    return tok.lower_ in cues().pronouns or tok.pos_ == "PROPN"


def _headline_lead(cue: _Cue) -> _Found | None:
    """Headline 'X calls for Y, says Z': the second verb's subject is the first one's (the
    parser hangs 'X calls for Y' on 'says' as a clause before it)."""
    v = cue.verb
    if not cue.in_headline:
        return None
    comp = _child(v, {"ccomp"})
    if comp is not None and comp.i < v.i and not _reports(comp) and _ends_line(cue.subj, v):
        # 'Progress made at the talks, say diplomats': the clause before is the content
        return _Found(comp.left_edge.i, comp.right_edge.i + 1, "headline", v)
    if (cue.subj is None or cue.subj.i > v.i) and comp is not None and comp.i < v.i:
        cue.subj = _child(comp, SUBJECT_DEPS)
        if cue.subj is not None:
            return _Found(v.i + 1, v.sent.end, "headline", v)
    return None


def _stance(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'expressed concern about X', 'voiced hope that X', 'raised alarm over X': a verb and
    a stance noun make the cue; what the noun or the verb governs after it is the content."""
    v = cue.verb
    noun = _stance_noun(v)
    if noun is None:
        return None
    parts = [c for c in noun.rights if c.dep_ in STANCE_CONTENT_DEPS]
    parts += [c for c in v.rights if c.i > noun.i and c.dep_ in STANCE_CONTENT_DEPS]
    if not parts:
        return None
    source = None
    if v.dep_ == "amod" and noun.head is not noun:
        source = subject_of(noun.head)  # the clause the misparsed phrase hangs on
    start = min(c.left_edge.i for c in parts)
    return _Found(start, _rightmost(*parts), "stance", noun, source)


def _reports(verb: Token) -> bool:
    """Whether a verb is a speech or appeal cue ('X calls for Y, says Z')."""
    lex, lemma = cues(), cue_lemma(verb) or ""
    return lemma in lex.speech or lemma in lex.appeal or lemma in lex.prepositional


def _ends_line(subj: Token | None, v: Token) -> bool:
    """Whether `subj` is an inverted subject after the cue that ends the sentence."""
    if subj is None or subj.i < v.i or subj.right_edge.i - subj.left_edge.i > 3:
        return False
    rest = v.doc[subj.right_edge.i + 1 : v.sent.end]
    return all(t.is_punct or t.is_space for t in rest)


def _clause(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'X said (that) ...': the clausal complement."""
    span = _clause_content(cue.verb, cue.heirs)
    return None if span is None else _Found(span[0], span[1], "ccomp", cue.verb)


def _appeal(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'urged X to do Y', 'asked X for Y': the object and its infinitive or for/to phrase."""
    v = cue.verb
    obj = _child(v, {"dobj"}, v.i)
    if obj is None:
        return None
    comp = _child(v, {"xcomp"}, obj.i)
    if comp is None:
        comp = next(
            (
                c
                for c in v.children
                if c.dep_ == "prep" and c.lower_ in ("for", "to") and c.i > obj.i
            ),
            None,
        )
    if comp is None:
        return None
    return _Found(obj.left_edge.i, _rightmost(obj, comp), "appeal", v)


def _prepositional(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'called on X to ...', 'called for X', 'pointed out that ...': the object of the cue's
    preposition or particle (on the verb or on its object)."""
    v = cue.verb
    particles = lex.prepositional[cue.lemma]
    for holder in [v] + [c for c in v.children if c.dep_ == "dobj"]:
        for p in holder.children:
            if p.lower_ not in particles or p.dep_ not in ("prep", "prt") or p.i < v.i:
                continue
            if p.dep_ == "prt":
                obj = _child(v, {"dobj", "ccomp"}, p.i)
                if obj is not None:
                    return _Found(obj.left_edge.i, obj.right_edge.i + 1, "prep", p)
                break
            obj = _child(p, {"pobj", "pcomp"})
            if obj is not None:
                comp = _child(v, {"xcomp"}, obj.i)
                return _Found(p.i + 1, _rightmost(obj, comp), "prep", p)
    return None


def _particle(cue: _Cue, lex: CueLexicon) -> Token | None:
    """The particle of a phrasal cue ('pointed out', 'lashed out'): part of the cue whichever
    construction finds the content after it."""
    particles = lex.prepositional.get(cue.lemma, ())
    v = cue.verb
    for holder in [v] + [c for c in v.children if c.dep_ == "dobj"]:
        for p in holder.children:
            if p.dep_ == "prt" and p.lower_ in particles and p.i >= v.i:
                return p
    return None


def _naming(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'called it a common ailment', 'called her vote a mistake': object and its label."""
    v = cue.verb
    obj = _child(v, {"dobj", "nsubj"}, v.i)
    if obj is None:
        return None
    label = _child(v, {"oprd", "xcomp", "ccomp", "attr"}, obj.i)
    if label is None:
        label = _child(obj, {"oprd", "appos", "attr"}, obj.i)
    if label is None:
        return None
    return _Found(obj.left_edge.i, max(obj.right_edge.i, label.right_edge.i) + 1, "label")


def _object(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'denied the claim of fraud', 'praised X for Y': the direct object (with its label or
    a for/as/of phrase), when it says something: not 'denied it', not a bare 'rejected the
    accusations' (two content words, a name, or a phrase after the object)."""
    v = cue.verb
    obj = _child(v, {"dobj"}, v.i)
    if obj is None or obj.lower_ in lex.vague_objects:
        return None
    right = obj.right_edge.i + 1
    extra = _child(v, {"oprd", "prep", "advcl"}, obj.right_edge.i)
    if extra is not None and (extra.dep_ == "oprd" or extra.lower_ in lex.object_label_preps):
        right = extra.right_edge.i + 1
    if cue.lemma in lex.object_needs_label and (extra is None or extra.dep_ != "oprd"):
        return None  # 'called the meeting' is no statement; 'called him a liar' is
    if _anaphoric(cue.doc[obj.left_edge.i : right]):
        return None  # 'rejected the accusations': what was rejected is said elsewhere
    words = [t for t in cue.doc[obj.left_edge.i : right] if not t.is_space]
    # headlines capitalise every noun: there only a recognised name stands alone
    named = obj.pos_ == "PROPN" and (not cue.in_headline or obj.ent_type_ != "")
    if len(words) >= 2 or extra is not None or named or _endorsed(cue, obj):
        return _Found(obj.left_edge.i, right, "object")
    return None


ANAPHORIC_DETS = {"the", "this", "these", "those", "that"}


def _anaphoric(span: Span) -> bool:
    """A bare definite noun ('the offer', 'these claims'): it points back to content given
    elsewhere and says nothing itself."""
    words = [t for t in span if not (t.is_punct or t.is_space)]
    return len(words) == 2 and words[0].lower_ in ANAPHORIC_DETS and words[1].pos_ == "NOUN"


def _endorsed(cue: _Cue, obj: Token) -> bool:
    """'support him': a pronoun is content enough for an endorsement."""
    accepted = cues().evidence_only.get(cue.lemma, ())
    return "endorsement" in accepted and obj.lower_ in cues().pronouns


def _passive(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'X is supported by Y': Y the source, X the content."""
    v = cue.verb
    patient = _child(v, {"nsubjpass"})
    agent = _child(v, {"agent"})
    source = _child(agent, {"pobj"}) if agent is not None else None
    if patient is None or source is None or patient.i > v.i:
        return None
    return _Found(patient.left_edge.i, patient.right_edge.i + 1, "passive", agent, source)


def _intent(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'refused to release X': the infinitive complement."""
    v = cue.verb
    comp = _child(v, {"xcomp"}, v.i)
    if comp is None:
        return None
    if comp.tag_ != "VBG" and not any(c.dep_ == "aux" and c.lower_ == "to" for c in comp.children):
        return None  # 'refused to release X' and 'proposed cutting X' only
    return _Found(comp.left_edge.i, comp.right_edge.i + 1, "intent")


def _as_clause(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'As the envoy noted, the talks have stalled': a cue clause opened by 'as', with no
    content of its own, reports the clause it hangs on."""
    v = cue.verb
    if v.dep_ != "advcl" or cue.lemma in lex.meeting_business:
        return None
    if not any(c.dep_ == "mark" and c.lower_ == "as" for c in v.children):
        return None
    if any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in v.children):
        return None
    head = v.head
    if head.i == v.i or cue_lemma(head) is not None:
        return None
    if v.i < head.i:
        start, end = v.right_edge.i + 1, head.right_edge.i + 1
    else:
        start, end = head.left_edge.i, v.left_edge.i
    return _Found(start, end, "as")


def _inserted(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """'A, X said, B' / 'A, X said.': the cue clause inside or after the content."""
    if cue.subj is None:
        return None
    span = _parenthetical(cue.verb, cue.subj)
    return None if span is None else _Found(span[0], span[1], "parenthetical")


def _headline_tail(cue: _Cue, lex: CueLexicon) -> _Found | None:
    """Headline 'X calls for Y, says Z' when 'says' has no subject and no clause of its own:
    the rest of the line is the content."""
    v = cue.verb
    if not cue.in_headline or cue.lemma in lex.meeting_business:
        return None
    source = None
    if cue.subj is None:
        comp = _child(v, {"ccomp"})
        if comp is not None and comp.i < v.i:
            source = _child(comp, SUBJECT_DEPS)
    return _Found(v.i + 1, v.sent.end, "headline", None, source)


Rule = Callable[[_Cue, CueLexicon], "_Found | None"]

# The constructions a cue verb is tried in, in order; each applies to the verbs of the
# lexicons (keys of data/cues.json) it names. The first that finds content wins.
CONSTRUCTIONS: tuple[tuple[tuple[str, ...], Rule], ...] = (
    (("stance_phrases",), _stance),
    (("speech",), _clause),
    (("appeal",), _appeal),
    (("prepositional",), _prepositional),
    (("naming",), _naming),
    (("objects",), _object),
    (("objects", "speech"), _passive),
    (("intent",), _intent),
    (("parenthetical",), _as_clause),
    (("parenthetical",), _inserted),
    (("speech",), _headline_tail),
)


_QUOTE_CHARS = set('"“”„«»')


def _participle_without_clause(v: Token, s: int, e: int) -> bool:
    """'Commenting on a question by Y, X said ...': a fronted participle with no subject of
    its own that frames another cue of the same speaker is a statement only with a clause or
    a quotation as content; with a plain noun phrase it names the topic or occasion of the
    main statement ('Stating that ...' is a statement, 'Commenting on a question' is not).
    Trailing participles ('..., X said, citing the report') are left alone: PolNeAR counts
    them as attributions."""
    if v.tag_ != "VBG" or _child(v, SUBJECT_DEPS) is not None:
        return False
    if v.dep_ != "advcl" or v.i > v.head.i or cue_lemma(v.head) is None:
        return False  # only a fronted participle framing a cue of the same speaker
    words = v.doc[s:e]
    if any(t.text in _QUOTE_CHARS or t.text[:1] in _QUOTE_CHARS for t in words):
        return False
    return not any(t.pos_ in ("VERB", "AUX") for t in words)


def _parenthetical(v: Token, subj: Token) -> tuple[int, int] | None:
    """'Acts of protest, X said, are acts of patriotism.' / 'People like Y, he said.': the
    cue clause sits inside or after the content, set off by a comma."""
    doc, sent = v.doc, v.sent
    for c in v.children:
        if c.dep_ in ("ccomp", "xcomp"):
            return None
        if c.dep_ == "dobj" and not (c.pos_ == "PRON" or c.right_edge.i - c.left_edge.i < 2):
            return None  # 'he told me' may be inserted; 'she held rallies' is no cue clause
    left = min(subj.left_edge.i, v.i)
    right = max(v.i, subj.right_edge.i)
    for c in v.rights:
        if c.dep_ in ("npadvmod", "prep", "advmod", "dative") and c.i > right:
            right = c.right_edge.i
    before = left - 1
    after = right + 1
    if before - sent.start < 2 or doc[before].text not in (",", "—", "–") or right - v.i > 8:
        return None
    if not any(t.pos_ in ("VERB", "AUX") for t in doc[sent.start : before]) and not (
        after < sent.end
        and doc[after].text in (",", "—", "–")
        and any(t.pos_ in ("VERB", "AUX") for t in doc[after : sent.end])
    ):
        return None  # a fronted phrase ('In the weeks since, X said'), not reported words
    if after < sent.end and doc[after].text in (",", "—", "–"):
        return sent.start, sent.end  # PolNeAR's gap between fragments is not counted
    if after >= sent.end or doc[after].text in (".", "!", "?", ";"):
        return sent.start, before
    return None


def _noun_candidate(doc: Doc, noun: Token) -> Candidate | None:
    """'X's claim that ...', 'a warning from Y that ...': a cue noun with a that-clause."""
    clause = None
    for c in noun.children:
        if (
            c.dep_ in ("acl", "ccomp", "appos")
            and c.i > noun.i
            and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        ):
            clause = c
            break
    if clause is None:
        return None
    source = _child(noun, {"poss"})
    if source is None:
        for p in noun.children:
            if p.dep_ == "prep" and p.lower_ in ("by", "from", "of") and p.i < clause.i:
                source = _child(p, {"pobj"})
                break
    cue = noun
    prep = noun.head
    if source is None and prep.dep_ == "prep" and prep.head is not prep and cue_lemma(prep.head):
        # 'X said in a statement that ...' parsed with the clause on the noun: X is the source
        source = subject_of(prep.head)
        if source is not None:
            cue = prep.head
    chars = _chars(doc, clause.left_edge.i, clause.right_edge.i + 1)
    if chars is None or clause.right_edge.i - clause.left_edge.i < 3:
        return None
    return Candidate(chars[0], chars[1], cue, noun.idx + len(noun), source, via="noun")


def _according(doc: Doc, s: int, e: int) -> Candidate | None:
    """'According to X, S' / 'S, according to X': X is the source, S the content."""
    prep = doc[e - 1]
    src = _child(prep, {"pobj"})
    if src is None:
        return None
    phrase_start, phrase_end = s, max(e, src.right_edge.i + 1)
    sent = doc[s].sent
    before = (sent.start, phrase_start)
    after = (phrase_end, sent.end)
    left, right = before if before[1] - before[0] >= after[1] - after[0] else after
    chars = _chars(doc, left, right)
    if chars is None or right - left < 3:
        return None
    return Candidate(chars[0], chars[1], doc[s], prep.idx + len(prep), src, via="according")


def mention_span(subj: Token) -> Span:
    """The words naming the speaker: the subject without relative clauses or appositions."""
    doc = subj.doc
    if subj.lower_ in cues().pronouns or subj.pos_ == "PRON":
        return doc[subj.i : subj.i + 1]
    left = subj.left_edge.i
    right = subj.i + 1
    for c in subj.rights:
        if c.dep_ in ("relcl", "acl", "appos", "punct", "cc", "conj", "advmod", "parataxis"):
            break
        right = c.right_edge.i + 1
    while left < subj.i and (doc[left].is_punct or doc[left].is_space):
        left += 1
    while right > subj.i + 1 and doc[right - 1].is_space:
        right -= 1
    return doc[left:right]
