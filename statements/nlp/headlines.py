"""Speech acts in headlines the parser cannot read (Title Case, capitals).

"Delegates Voice Concern over Rising Debt", "MINISTERS URGE RESTRAINT", "Peace 'Within
Reach', Envoy Tells Council": a subject, a cue verb in the present tense, and the rest
of the headline as the content (or the content before a comma, the subject and cue
after it). A cue in its base form needs a plural or coordinated subject ("Delegates
Urge"); the -s form a singular one ("Envoy Tells"). Verbs that are speech only with
evidence (hold, back, agree ...) never make a headline statement.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from .cues import Candidate, _chars, _forms
from .lexicon import CueLexicon, cues

MIN_CONTENT_WORDS = 2
ADDRESSEE_WORDS = 3
CLAUSE_BREAKS = {":", ";", "|"}
SUBJECT_TAGS = {"NN", "NNS", "NNP", "NNPS", "PRP"}


def headline_candidates(doc: Doc, headline_end: int, cues_found: set[int]) -> list[Candidate]:
    """Statements of the headline (the text's first line, ending at `headline_end`) read
    from word forms: an opening participle cue, and, when neither it nor the parse found
    one (`cues_found`: token indexes of the cues found), a subject and its cue."""
    words = []
    for t in doc:  # in text order: the headline's words are the first ones
        if t.idx >= headline_end:
            break
        if not t.is_space:
            words.append(t)
    if len(words) < 3 or not _title_or_caps(words):
        return []
    lex = cues()
    out = []
    fronted = _fronted_participle(words, lex)
    if fronted is not None and fronted.cue.i not in cues_found:
        out.append(fronted)
    if cues_found:
        return out
    for i, tok in enumerate(words):
        lemma = _present_cue(tok, lex)
        if lemma is None or i == 0 or not _agrees(words[i - 1], tok, lemma):
            continue
        before = _content_before(words, i) if lemma in lex.parenthetical else None
        cand = before or _content_after(words, i, lemma, lex)
        if cand is not None:
            return [*out, cand]
    return out


def _fronted_participle(words: list[Token], lex: CueLexicon) -> Candidate | None:
    """'Voicing Concern over X, Delegates Call for Y': a participle cue opening the headline,
    its content up to the comma, and the plural subject of the clause after it."""
    first = words[0]
    lemma = _forms().get(first.lower_)
    if lemma is None or not first.lower_.endswith("ing") or lemma in lex.evidence_only:
        return None
    if lemma in lex.meeting_business or not (lemma in lex.stance_phrases or lemma in lex.speech):
        return None
    comma = next((k for k, t in enumerate(words) if t.text == ","), None)
    if comma is None:
        return None
    subject = next((t for t in words[comma + 1 :] if _plural_noun(t)), None)
    cand = _content_after(words[:comma], 0, lemma, lex) if subject is not None else None
    if cand is None or subject is None:
        return None
    return _candidate_with(cand, subject)


def _plural_noun(tok: Token) -> bool:
    """'Delegates', 'SPEAKERS' (tagged or, in capitals the tagger misreads, spelled plural)."""
    if not (tok.is_alpha and tok.text[0].isupper()):
        return False
    return tok.tag_ in ("NNS", "NNPS") or (tok.lower_.endswith("s") and tok.lower_ not in _forms())


def _title_or_caps(words: list[Token]) -> bool:
    alpha = [t for t in words if t.is_alpha and len(t) > 3]
    return bool(alpha) and sum(t.text[0].isupper() for t in alpha) >= 0.8 * len(alpha)


def _present_cue(tok: Token, lex: CueLexicon) -> str | None:
    """The lemma of a cue verb written in the present tense ('Urge', 'URGES', 'Tells')."""
    low = tok.lower_
    lemma = _forms().get(low)
    if lemma is None or lemma in lex.evidence_only or lemma in lex.meeting_business:
        return None
    present = {lemma, lemma + "s", lemma + "es"}
    if lemma.endswith("y"):
        present.add(lemma[:-1] + "ies")
    if low not in present:
        return None
    speech_act = lex.speech | lex.appeal | lex.objects | frozenset(lex.stance_phrases)
    return lemma if lemma in speech_act or lemma in lex.prepositional else None


def _agrees(subject: Token, verb: Token, lemma: str) -> bool:
    """A subject word just before the verb, agreeing with it in number."""
    if subject.tag_ not in SUBJECT_TAGS or not subject.is_alpha:
        return False
    plural = subject.tag_ in ("NNS", "NNPS") or subject.lower_.endswith("s")
    third_singular = verb.lower_ != lemma
    return plural != third_singular or subject.tag_ == "NNP" and third_singular


def _candidate_with(cand: Candidate, subject: Token) -> Candidate:
    first = subject
    while first.i > 0 and _capitalised(first.doc[first.i - 1]):
        first = first.doc[first.i - 1]
    cand.subject, cand.mention = subject, (first.i, subject.i + 1)
    return cand


def _content_after(words: list[Token], i: int, lemma: str, lex: CueLexicon) -> Candidate | None:
    """'Delegates Voice Concern over X, as Y': the words after the cue (and its stance
    noun or particle) up to a clause break."""
    cue_end = words[i]
    start = i + 1
    nouns = lex.stance_phrases.get(lemma, frozenset())
    particles = lex.prepositional.get(lemma, frozenset())
    if start < len(words) and (words[start].lower_ in nouns or words[start].lower_ in particles):
        cue_end, start = words[start], start + 1
    elif nouns and not _cue_without_noun(lemma, lex):
        return None  # 'Council Extends Mission': a stance verb without its noun
    end = start
    while end < len(words) and not _breaks(words, end):
        end += 1
    content = [t for t in words[start:end] if t.is_alpha]
    if len(content) < MIN_CONTENT_WORDS:
        return None
    return _candidate(words, start, end, words[i], cue_end, words[i - 1] if i else words[i])


def _content_before(words: list[Token], i: int) -> Candidate | None:
    """'Peace Within Reach, Envoy Tells Council': the words before the last comma before
    the subject."""
    comma = next((k for k in range(i - 1, 0, -1) if words[k].text == ","), None)
    if comma is None or i - comma > 5 or len(words) - i > ADDRESSEE_WORDS + 1:
        return None  # the cue ends the line, an addressee aside ('..., Envoy Tells Council')
    if len([t for t in words[:comma] if t.is_alpha]) < MIN_CONTENT_WORDS + 1:
        return None
    return _candidate(words, 0, comma, words[i], words[i], words[i - 1])


def _cue_without_noun(lemma: str, lex: CueLexicon) -> bool:
    return lemma in lex.speech or lemma in lex.appeal or lemma in lex.objects


def _breaks(words: list[Token], k: int) -> bool:
    tok = words[k]
    if tok.text in CLAUSE_BREAKS:
        return True
    return tok.text == "," and k + 1 < len(words) and words[k + 1].lower_ in ("as", "while")


def _candidate(
    words: list[Token], start: int, end: int, cue: Token, cue_end: Token, subject: Token
) -> Candidate | None:
    doc = cue.doc
    chars = _chars(doc, words[start].i, words[end - 1].i + 1)
    if chars is None:
        return None
    first = subject
    while first.i > 0 and _capitalised(doc[first.i - 1]) and doc[first.i - 1] is not cue_end:
        first = doc[first.i - 1]  # 'Second Committee Delegates', 'Special Envoy'
    return Candidate(
        chars[0],
        chars[1],
        cue,
        cue_end.idx + len(cue_end),
        subject,
        via="headline",
        mention=(first.i, subject.i + 1),
    )


def _capitalised(tok: Token) -> bool:
    return tok.is_alpha and tok.text[0].isupper()
