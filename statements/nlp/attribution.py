"""From parsed parts of a text to an Annotation: statements, speakers, countries, topics."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .continuations import continuations, is_meeting_coverage
from .cues import Candidate, candidates, cue_forms, cue_lemma, mention_span, stance_only, subject_of
from .delegations import home_country, is_delegate_noun
from .headlines import headline_candidates
from .matchers import country_mentions, topic_mentions
from .quotes import QuoteSpan, scan_quotes
from .speakers import SpeakerTable
from .topics import TopicRule
from .types import Annotation, QuoteAnnotation, SpeakerProfile, TextSpan

MIN_NOCUE_WORDS = 4  # a quote with no cue shorter than this is a title or scare quote
_SENT_END = re.compile(r"[.!?]\s")
_WORDS = re.compile(r"[^\W_]+")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Jr|Sr|St|Sgt|Capt|Adm|Prof|Rev|Del|No|Vol|"
    r"Inc|Corp|Co|Ltd|vs|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec)|\b[A-Z]|\b[A-Z]\.[A-Z])$"
)
_DASH_SOURCE = re.compile(r"[^\S\n]*[―—–]{1,2}[^\S\n]*([^\s―—–][^\n]{0,80}?)[^\S\n.]*\.?[^\S\n]*$")
_COLON_LINE = re.compile(
    r"[\"“]?(?P<name>[A-Z][\w.’'-]*(?:[ \t]+[A-Z][\w.’'-]*){0,3})[ \t]*:[ \t]+(?P<body>\S[^\n]*)"
)


def sentence_ends(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Positions of sentence-final . ! ? followed by a space, abbreviations ('Mr.') excepted."""
    end = len(text) if end is None else end
    out = []
    for m in _SENT_END.finditer(text, start, end):
        if text[m.start()] == "." and _ABBREV.search(text, max(0, m.start() - 6), m.start()):
            continue
        out.append(m.start())
    return out


@dataclass
class Statement:
    start: int  # global char offsets of the content
    end: int
    kind: str
    cue: tuple[int, int] | None
    subj: Token | None
    offset: int  # char offset of the part holding subj
    speaker: int | None = None
    mention: tuple[int, int] | None = None
    inherit: bool = False  # takes the speaker of the passage
    subj_span: tuple[int, int] | None = None  # token range naming the speaker, if not subj's

    @property
    def anchor(self) -> int:
        if self.subj is not None:
            return self.subj.idx + self.offset
        return self.start


class SpanIndex(list):
    """Sorted, non-overlapping spans (start, end, ...) with bisect lookups, so that texts
    with thousands of quotes stay linear."""

    def __init__(self, items):
        super().__init__(items)
        self.starts = [x[0] for x in self]

    def containing(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and self[k][0] <= pos < self[k][1]

    def overlapping(self, s: int, e: int) -> range:
        i = bisect_right(self.starts, s) - 1
        if i < 0 or self[i][1] <= s:
            i += 1
        return range(i, bisect_left(self.starts, e))


class Paragraphs:
    def __init__(self, text: str):
        # a run of newlines (blank lines) separates two paragraphs, not several
        self.starts = [0] + [m.end() for m in re.finditer(r"\n\s*", text)]

    def index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1


def _tokens_in(doc: Doc, starts: list[int], a: int, b: int) -> list[Token]:
    """Tokens of doc starting within local chars [a, b)."""
    i, j = bisect_left(starts, a), bisect_left(starts, b)
    return [doc[k] for k in range(i, j)]


SUBJECT_LIKE = {"nsubj", "dobj", "attr", "npadvmod", "oprd", "appos", "dep", "nsubjpass"}
NOT_SPEAKERS = {"DATE", "TIME", "ORDINAL", "CARDINAL", "PERCENT", "MONEY", "QUANTITY"}


def _speaker_token(v: Token, lq: SpanIndex) -> Token | None:
    """The speaker side of cue v, never a word inside quotation marks: the parser's subject,
    else (inverted or misparsed 'said James Acton') the nearest nominal child of the cue,
    else the nearest person or organisation name of the sentence outside quotes."""
    subj = subject_of(v)
    if subj is not None and not lq.containing(subj.idx):
        return subj
    best = None
    for c in v.children:
        if (
            c.dep_ in SUBJECT_LIKE
            and c.pos_ in ("PROPN", "NOUN", "PRON")
            and c.ent_type_ not in NOT_SPEAKERS
            and not lq.containing(c.idx)
            and (best is None or abs(c.i - v.i) < abs(best.i - v.i))
        ):
            best = c
    if best is not None:
        return best
    for t in v.sent:
        if (
            t.pos_ == "PROPN"
            and t.ent_type_ in ("PERSON", "ORG", "NORP")
            and not lq.containing(t.idx)
            and (best is None or abs(t.i - v.i) < abs(best.i - v.i))
        ):
            best = t
    while best is not None and best.dep_ in ("compound", "flat") and best.head is not best:
        best = best.head
    return best


def _window_cue(toks: list[Token], trailing: bool, lq: SpanIndex) -> Token | None:
    """A cue verb with a speaker in a short window beside a quote."""
    found = []
    for t in toks:
        if t.is_punct or t.is_space:
            continue
        lemma = cue_lemma(t)
        if lemma is None or t.pos_ not in ("VERB", "AUX") or stance_only(lemma):
            continue  # 'made', 'raised' are cues only with their stance noun
        if _speaker_token(t, lq) is None:
            continue
        found.append(t)
        if trailing:
            break
    return found[-1] if found else None


def analyse(
    nlp: Language, text: str, parts: list[tuple[Doc, int]], topics: Sequence[TopicRule]
) -> Annotation:
    quotes = scan_quotes(text)
    paras = Paragraphs(text)
    first_nl = text.find("\n")
    headline_end = first_nl if 0 < first_nl < 400 else 0
    table = SpeakerTable([d for d, _ in parts])
    statements: list[Statement] = []
    subjects: list[tuple[int, Token, int]] = []  # other named subjects, for pronouns
    countries: list[tuple[int, int, str]] = []
    topic_hits: list[tuple[int, int, str]] = []

    meeting = is_meeting_coverage(text)
    for doc, off in parts:
        end = off + len(doc.text)
        local_quotes = [q for q in quotes if off <= q.open < end]
        found = _part_statements(doc, off, local_quotes, paras, headline_end - off)
        if meeting:
            found += _continuations(doc, off, found, paras, headline_end - off)
        statements += found
        subjects += _named_subjects(doc, off, local_quotes)
        countries += [(s + off, e + off, c) for s, e, c in country_mentions(doc)]
        if topics:
            topic_hits += [(s + off, e + off, c) for s, e, c in topic_mentions(nlp, doc, topics)]

    statements = _drop_nested(statements)
    # the subject of a statement dropped as nested in another's words stays a named subject
    used = {(id(st.subj.doc), st.subj.i) for st in statements if st.subj is not None}
    subjects = [s for s in subjects if (id(s[1].doc), s[1].i) not in used]
    _resolve(table, statements, _outside_reported(subjects, statements, len(text)), paras)
    headline = [c for s, _e, c in sorted(countries) if s < headline_end]
    table.assign_home_country(home_country(headline, [c for _s, _e, c in countries]))
    return _build(text, statements, table, countries, topic_hits)


def _outside_reported(
    subjects: list[tuple[int, Token, int]], statements: list[Statement], length: int
) -> list[tuple[int, Token, int]]:
    """Subjects that are not words of a statement: a person spoken of in reported speech
    ('X said that President Y had acted') is no antecedent for the next 'he'; coordinated
    subjects stay ('X said that Chile and Peru agreed. Both countries ...')."""
    reported = bytearray(length + 1)
    for st in statements:
        reported[st.start : st.end] = b"\x01" * (st.end - st.start)
    return [
        s for s in subjects if not reported[s[0]] or any(c.dep_ == "conj" for c in s[1].children)
    ]


def _named_subjects(doc: Doc, off: int, quotes: list[QuoteSpan]) -> list[tuple[int, Token, int]]:
    """Named subjects outside speech acts, for pronouns; a name inside quotation marks (a
    person addressed or spoken of in the quote) is never a speaker."""
    inside = SpanIndex(sorted((q.start - off, q.end - off) for q in quotes))
    nsubj = doc.vocab.strings["nsubj"]  # dependency labels compared as ids, not strings
    return [
        (t.idx + off, t, off)
        for i, dep in enumerate(doc.to_array("DEP").tolist())
        if dep == nsubj
        and ((t := doc[i]).pos_ == "PROPN" or is_delegate_noun(t))
        and not inside.containing(t.idx)
    ]


class LocalQuote(NamedTuple):
    """A quoted passage in the offsets of one part (see `quotes.QuoteSpan`)."""

    start: int  # content start
    end: int  # content end
    open: int  # opening mark
    close: int | None  # closing mark, None when unbalanced

    @property
    def mark_or_end(self) -> int:
        """The closing mark, or the end of the words when there is none."""
        return self.end if self.close is None else self.close

    @property
    def outer_end(self) -> int:
        """Just after the closing mark, or the end of the words when there is none."""
        return self.end if self.close is None else self.close + 1


@dataclass
class _Part:
    """One parsed part of the text and what its statements have used up so far."""

    doc: Doc
    off: int  # char offset of the part in the whole text
    quotes: SpanIndex  # of LocalQuote
    paras: Paragraphs
    text: str = ""  # Doc.text joins every token: built once, never per quote
    starts: list[int] = field(default_factory=list)  # char offset of each token
    used_quotes: set[int] = field(default_factory=set)
    used_cues: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.text = self.doc.text
        self.starts = self.doc.to_array("IDX").tolist()

    def statement(self, s: int, e: int, kind: str, cue: tuple[int, int] | None, subj, **kw):
        """A Statement from local offsets."""
        off = self.off
        cue_span = None if cue is None else (cue[0] + off, cue[1] + off)
        return Statement(s + off, e + off, kind, cue_span, subj, off, **kw)


def _continuations(
    doc: Doc, off: int, found: list[Statement], paras: Paragraphs, headline_end: int
) -> list[Statement]:
    """Sentences that carry on the reported speech before them: same speaker (inherited)."""
    reported = [(st.start - off, st.end - off) for st in found if st.cue is not None]
    spans = continuations(doc, reported, lambda pos: paras.index(pos + off), headline_end)
    return [
        Statement(s + off, e + off, "indirect", None, None, off, inherit=True) for s, e in spans
    ]


def _part_statements(
    doc: Doc, off: int, quotes: list[QuoteSpan], paras: Paragraphs, headline_end: int
) -> list[Statement]:
    lq = SpanIndex(
        LocalQuote(
            q.start - off, q.end - off, q.open - off, None if q.close is None else q.close - off
        )
        for q in quotes
    )
    part = _Part(doc, off, lq, paras)
    out = _colon_lines(part)
    taken = SpanIndex((st.start - off, st.end - off) for st in out)
    found = candidates(doc, max(headline_end, 0))
    if headline_end > 0:
        in_headline = {c.cue.i for c in found if c.cue.idx < headline_end}
        found += headline_candidates(doc, headline_end, in_headline)
    for cand in found:
        st = _candidate_statement(part, cand, taken)
        if st is not None:
            out.append(st)
            part.used_cues.add(cand.cue.i)
    for k in range(len(lq)):
        if k not in part.used_quotes:
            st = _quote_statement(part, k)
            if st is not None:
                out.append(st)
    return out


def _candidate_statement(part: _Part, cand: Candidate, taken: SpanIndex) -> Statement | None:
    """The statement of a cue candidate, its content widened over the quotes it touches."""
    lq = part.quotes
    if lq.containing(cand.cue.idx) or taken.containing(cand.cue.idx):
        return None  # an attribution nested in quoted speech
    subj = cand.subject
    if subj is None and cand.via != "noun":
        return None
    if subj is not None and lq.containing(subj.idx):
        subj = _speaker_token(cand.cue, lq)  # the parser took a word of the quote
        if subj is None:
            return None
    s, e, kind = _with_quotes(part, cand.start, cand.end)
    if kind == "direct":
        # the other part of a quote interrupted by its cue ('"A," she said, "B."')
        s, e = _merge_interrupted(part, cand.cue.idx, s, e)
    st = part.statement(s, e, kind, (cand.cue_start, cand.cue_end), subj)
    if cand.mention is not None and subj is cand.subject:
        st.subj_span = cand.mention
    return st


def _with_quotes(part: _Part, s: int, e: int) -> tuple[int, int, str]:
    """Content [s, e) and its kind once the quotes it overlaps are taken in: the quote itself
    (direct) or the reporter's words around quoted words (mixed)."""
    kind = "indirect"
    text, lq = part.text, part.quotes
    for k in lq.overlapping(s, e):
        q = lq[k]
        us, ue = min(s, q.start), max(e, q.end)
        outside = _WORDS.findall(text[us : q.start] + " " + text[q.end : ue])
        if not outside:  # the clause is the quote
            s, e, kind = q.start, q.end, "direct"
        else:  # words of the reporter around quoted words ('that "..."' included)
            if q.close is not None and e <= q.close:
                ue = q.close + 1  # content ending inside the quote takes its closing mark
            s, e, kind = us, ue, "mixed"
        part.used_quotes.add(k)
    return s, e, kind


def _colon_lines(part: _Part) -> list[Statement]:
    """'MORALES: Well, ...' (transcripts) and 'Okafor: Talks must resume ...' (headlines): a
    short capitalised name, a colon, and the rest of the line as what was said."""
    out = []
    doc, text = part.doc, part.text
    for line in re.finditer(r"[^\n]+", text):
        m = _COLON_LINE.match(text, line.start(), line.end())
        if m is None:
            continue
        name = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if name is None or not _speaker_label(m.group("name"), name):
            continue
        b_start, b_end = m.start("body"), m.end("body")
        while b_end > b_start and text[b_end - 1] in ' \t."”’':
            b_end -= 1
        if b_end - b_start < 10:
            continue
        part.used_quotes.update(part.quotes.overlapping(b_start, b_end))
        colon = m.end("name") + text[m.end("name") : m.start("body")].index(":")
        st = part.statement(b_start, b_end, "direct", (colon, colon + 1), name.root)
        st.subj_span = (name.start, name.end)
        out.append(st)
    return out


def _speaker_label(label: str, name: Span) -> bool:
    """Whether the words before a colon name a speaker: capitals ('MORALES') or a name."""
    if label.isupper() and len(label) > 2:
        return True
    named = all(t.ent_type_ in ("PERSON", "ORG") for t in name)
    return named and all(t.pos_ in ("PROPN", "NOUN") for t in name)


def _joins(text: str, q1_end: int, close: int, next_open: int, cue_at: int) -> bool:
    """Whether the text between two quotes is only the cue clause that interrupts one
    statement ('"A," she said, "B."' or '"A," she said. "B."'): same paragraph, short, the
    cue trails the first part (which ends with a comma, ? or !, not a full stop) and the cue
    sentence ends where the next quote opens."""
    gap = text[close:next_open]
    if not (close <= cue_at < next_open) or len(gap) > 250 or "\n" in gap:
        return False
    last_char = text[max(0, q1_end - 4) : q1_end].rstrip(" \t'’\"")[-1:]
    if last_char not in (",", "?", "!", "—", "–", "-", ":") and gap.lstrip(' \t"”’»')[:1] != ",":
        return False  # '"A." To which she said, "B."': the cue opens the second quote only
    ends = sentence_ends(gap + " ")
    if ends and ends[0] != len(gap.rstrip()) - 1:
        return False  # more than the cue sentence lies between the quotes
    forms = cue_forms()
    cue_word = _WORDS.match(text, cue_at)
    after_cue = text[cue_word.end() if cue_word else cue_at : next_open]
    if any(w.endswith("ing") and w.lower() in forms for w in _WORDS.findall(after_cue)):
        return False  # '"A," X said, adding, "B."': B has a cue of its own
    return gap.rstrip()[-1:] in (",", ":", ".", "!", "?", ";")


def _merge_interrupted(part: _Part, cue_at: int, s: int, e: int) -> tuple[int, int]:
    """Extend a direct statement [s, e) over the quote just before or after its cue."""
    lq, used, text = part.quotes, part.used_quotes, part.text
    own = [k for k in lq.overlapping(s, e) if lq[k].start >= s and lq[k].end <= e]
    if not own:
        return s, e
    first, last = own[0], own[-1]
    if last + 1 < len(lq) and last + 1 not in used:
        nxt = lq[last + 1]
        if _joins(text, lq[last].end, lq[last].mark_or_end, nxt.open, cue_at):
            used.add(last + 1)
            return s, nxt.end
    if first > 0 and first - 1 not in used:
        prev = lq[first - 1]
        if _joins(text, prev.end, prev.mark_or_end, lq[first].open, cue_at):
            used.add(first - 1)
            return prev.start, e
    return s, e


def _quote_statement(part: _Part, k: int) -> Statement | None:
    """A quote no cue clause reached: a dash source after it, a cue after it or before it,
    else (standing as its own sentence) the speaker of the passage."""
    st = _dash_statement(part, k)
    if st is not None:
        return st
    q = part.quotes[k]
    found = _trailing_cue(part, k) or _leading_cue(part, k)
    if found is not None:
        cue, subj, end = found
        part.used_cues.add(cue.i)
        part.used_quotes.add(k)
        cue_span = (cue.idx, cue.idx + len(cue))
        return part.statement(q.start, end, "direct", cue_span, subj)
    # no cue: a quote standing as its own sentence takes the speaker of the passage
    before = _char_before(part.text, q.open)
    standalone = before == "" or before in '.!?:\n”"’'
    if not standalone or len(part.text[q.start : q.end].split()) < MIN_NOCUE_WORDS:
        return None
    part.used_quotes.add(k)
    return part.statement(q.start, q.end, "direct", None, None, inherit=True)


def _dash_statement(part: _Part, k: int) -> Statement | None:
    """'"..." ― Name' at the end of a line: collected reactions, tweets."""
    q, text = part.quotes[k], part.text
    close = q.outer_end
    dash = _DASH_SOURCE.match(text, close, _line_end(text, close))
    if dash is None or dash.end(1) - dash.start(1) <= 1:
        return None
    name = part.doc.char_span(dash.start(1), dash.end(1), alignment_mode="expand")
    if name is None or not any(t.is_alpha and t.is_title for t in name):
        return None
    part.used_quotes.add(k)
    cue_at = dash.start() + len(dash.group()) - len(dash.group().lstrip())
    st = part.statement(q.start, q.end, "direct", (cue_at, cue_at + 1), name.root)
    st.subj_span = (name.start, name.end)
    return st


def _trailing_cue(part: _Part, k: int) -> tuple[Token, Token, int] | None:
    """'"...," she said' up to the next quote, sentence or paragraph end: (cue, speaker,
    content end), the content running over the next quote when the cue interrupts one."""
    lq, text = part.quotes, part.text
    q = lq[k]
    close = q.outer_end
    nxt = lq[k + 1].open if k + 1 < len(lq) else len(text)
    stop = min(nxt, _line_end(text, close))
    ends = sentence_ends(text, close, stop)
    win_end = ends[0] + 1 if ends else stop
    last_char = text[q.start : q.end].rstrip(" \t'’\"")[-1:]  # inner marks aside
    comma_after = text[close:win_end].lstrip()[:1] in (",", "—", "–")
    if last_char not in (",", "?", "!", "—", "–", "-", ":") and not comma_after:
        return None
    cue = _window_cue(_tokens_in(part.doc, part.starts, close, win_end), True, lq)
    if cue is None or cue.i in part.used_cues:
        return None
    subj = _speaker_token(cue, lq)
    if subj is None or subj.idx < close:
        return None
    if k + 1 < len(lq) and _joins(text, q.end, close, nxt, cue.idx):
        part.used_quotes.add(k + 1)
        return cue, subj, lq[k + 1].end
    return cue, subj, q.end


def _leading_cue(part: _Part, k: int) -> tuple[Token, Token, int] | None:
    """'He said: "..."' in the sentence before the opening mark, or a line ending with a
    colon before the quote's paragraph: (cue, speaker, content end)."""
    lq, text, off = part.quotes, part.text, part.off
    q = lq[k]
    para_start = part.paras.starts[part.paras.index(q.open + off)] - off
    prev_close = max(para_start, 0, lq[k - 1].end if k > 0 else 0)
    lead_ends = sentence_ends(text, prev_close, q.open)
    lead_start = lead_ends[-1] + 1 if lead_ends and lead_ends[-1] + 2 < q.open else prev_close
    lead = text[lead_start : q.open].rstrip()
    window = None
    if lead and lead[-1] not in ".!?":
        window = (lead_start, q.open)
    elif not lead and para_start > 0:
        prev = text[max(0, para_start - 400) : para_start].rstrip()
        if prev.endswith(":"):
            window = (max(0, para_start - 400) + prev.rfind("\n") + 1, para_start)
    if window is None:
        return None
    cue = _window_cue(_tokens_in(part.doc, part.starts, *window), False, lq)
    if cue is None or cue.i in part.used_cues:
        return None
    subj = _speaker_token(cue, lq)
    if subj is None or subj.idx >= q.open:
        return None
    return cue, subj, q.end


def _drop_nested(statements: list[Statement]) -> list[Statement]:
    """Attributions do not nest: a cue inside another statement's content is part of it."""
    spans = sorted((s.start, s.end) for s in statements)
    starts = [a for a, _ in spans]
    out = []
    for st in statements:
        if st.cue is not None:
            c = st.cue[0]
            i = bisect_right(starts, c)
            if any(
                a <= c < b and (a, b) != (st.start, st.end) for a, b in spans[max(0, i - 50) : i]
            ):
                continue
        out.append(st)
    return out


def _char_before(text: str, pos: int) -> str:
    """The last non-space character before pos ('' at the start; '\n' at a paragraph)."""
    i = pos - 1
    while i >= 0 and text[i].isspace():
        if text[i] == "\n":
            return "\n"
        i -= 1
    return text[i] if i >= 0 else ""


def _line_end(text: str, pos: int) -> int:
    i = text.find("\n", pos)
    return len(text) if i < 0 else i


def _resolve(
    table: SpeakerTable,
    statements: list[Statement],
    subjects: list[tuple[int, Token, int]],
    paras: Paragraphs,
) -> None:
    events: list[tuple[int, int, object]] = [(s.anchor, 1, s) for s in statements]
    events += [(pos, 0, (tok, off)) for pos, tok, off in subjects]
    events.sort(key=lambda e: (e[0], e[1]))
    last: Statement | None = None
    for _pos, kind, item in events:
        if kind == 0:
            tok, _off = item  # type: ignore[misc]
            try:
                idx = table.resolve(tok, mention_span(tok))
            except Exception:  # noqa: BLE001 - a bad parse must not sink the document
                idx = None
            table.note_subject(idx)
            continue
        st: Statement = item  # type: ignore[assignment]
        if st.inherit:
            if last is not None and paras.index(st.start) - paras.index(last.end) <= 1:
                st.speaker, st.mention = last.speaker, last.mention
                if st.speaker is not None:
                    last = st  # a run of quoted paragraphs keeps its speaker
            continue
        if st.subj is not None:
            if st.subj_span is not None:
                span = st.subj.doc[st.subj_span[0] : st.subj_span[1]]
            else:
                span = mention_span(st.subj)
            st.mention = (span.start_char + st.offset, span.end_char + st.offset)
            st.speaker = table.resolve(st.subj, span)
            table.note_subject(st.speaker)
            cue_tok = st.subj.head if st.subj.head is not st.subj else st.subj
            table.gender_hint(st.speaker, cue_tok)
        last = st
    later = table.later_roles()  # 'Greek minister' in a headline, named further down
    for st in statements:
        if st.speaker in later:
            st.speaker = later[st.speaker]


def _build(
    text: str,
    statements: list[Statement],
    table: SpeakerTable,
    countries: list[tuple[int, int, str]],
    topic_hits: list[tuple[int, int, str]],
) -> Annotation:
    statements.sort(key=lambda s: (s.start, s.end))
    kept: list[Statement] = []
    for st in statements:
        # one statement per content span: a second cue on the same words is dropped
        if kept and kept[-1].start == st.start and kept[-1].end == st.end:
            if kept[-1].speaker is None and st.speaker is not None:
                kept[-1] = st  # 'X said in a statement that ...': the verb names X
            continue
        kept.append(st)
    remap: dict[int, int] = {}
    speakers: list[SpeakerProfile] = []
    quotes: list[QuoteAnnotation] = []
    countries.sort()
    topic_hits.sort()
    cstarts = [c[0] for c in countries]
    tstarts = [t[0] for t in topic_hits]
    for st in kept:
        s, e = st.start, st.end
        if e <= s:
            continue
        spk = None
        if st.speaker is not None:
            if st.speaker not in remap:
                remap[st.speaker] = len(speakers)
                speakers.append(table.entities[st.speaker].profile)
            spk = remap[st.speaker]
        q_countries = _within(countries, cstarts, s, e)
        q_topics = _within(topic_hits, tstarts, s, e)
        quotes.append(
            QuoteAnnotation(
                start=s,
                end=e,
                text=text[s:e],
                kind=st.kind,  # type: ignore[arg-type]
                cue=TextSpan(st.cue[0], st.cue[1], text[st.cue[0] : st.cue[1]]) if st.cue else None,
                speaker=spk,
                mention=(
                    TextSpan(st.mention[0], st.mention[1], text[st.mention[0] : st.mention[1]])
                    if st.mention
                    else None
                ),
                countries=q_countries,
                topics=q_topics,
            )
        )
    return Annotation(
        quotes=quotes,
        speakers=speakers,
        countries=_unique(c for _, _, c in countries),
        topics=_unique(t for _, _, t in topic_hits),
    )


def _within(hits: list[tuple[int, int, str]], starts: list[int], s: int, e: int) -> list[str]:
    i = bisect_left(starts, s)
    out: list[str] = []
    while i < len(hits) and hits[i][0] < e:
        if hits[i][1] <= e and hits[i][2] not in out:
            out.append(hits[i][2])
        i += 1
    return out


def _unique(items) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out
