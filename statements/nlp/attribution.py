"""From parsed parts of a text to an Annotation: statements, speakers, countries, topics."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from .cues import candidates, cue_forms, cue_lemma, mention_span, subject_of
from .delegations import home_country, is_delegate_noun
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
        if lemma is None or t.pos_ not in ("VERB", "AUX"):
            continue
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

    for doc, off in parts:
        end = off + len(doc.text)
        local_quotes = [q for q in quotes if off <= q.open < end]
        statements += _part_statements(doc, off, local_quotes, paras, headline_end - off)
        used = {s.subj.i for s in statements if s.subj is not None and s.offset == off}
        subjects += _named_subjects(doc, off, used, local_quotes)
        countries += [(s + off, e + off, c) for s, e, c in country_mentions(nlp, doc)]
        if topics:
            topic_hits += [(s + off, e + off, c) for s, e, c in topic_mentions(nlp, doc, topics)]

    statements = _drop_nested(statements)
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


def _named_subjects(
    doc: Doc, off: int, used: set[int], quotes: list[QuoteSpan]
) -> list[tuple[int, Token, int]]:
    """Named subjects outside speech acts, for pronouns; a name inside quotation marks (a
    person addressed or spoken of in the quote) is never a speaker."""
    inside = SpanIndex(sorted((q.start - off, q.end - off) for q in quotes))
    return [
        (t.idx + off, t, off)
        for t in doc
        if t.dep_ == "nsubj"
        and (t.pos_ == "PROPN" or is_delegate_noun(t))
        and t.i not in used
        and not inside.containing(t.idx)
    ]


def _part_statements(
    doc: Doc, off: int, quotes: list[QuoteSpan], paras: Paragraphs, headline_end: int
) -> list[Statement]:
    starts = [t.idx for t in doc]
    text = doc.text  # Doc.text joins every token: build it once, never per quote
    # local quote spans: (content start, content end, opening mark, closing mark or None)
    lq = SpanIndex(
        (q.start - off, q.end - off, q.open - off, None if q.close is None else q.close - off)
        for q in quotes
    )
    out: list[Statement] = []
    used_quotes: set[int] = set()
    used_cues: set[int] = set()
    out += _colon_lines(doc, text, lq, used_quotes, off)
    taken = SpanIndex((st.start - off, st.end - off, 0, None) for st in out)
    for cand in candidates(doc, max(headline_end, 0)):
        s, e = cand.start, cand.end
        cue_pos = cand.cue.idx
        if lq.containing(cue_pos) or taken.containing(cue_pos):
            continue  # an attribution nested in quoted speech
        subj = cand.subject
        if subj is None and cand.via != "noun":
            continue
        if subj is not None and lq.containing(subj.idx):
            subj = _speaker_token(cand.cue, lq)  # the parser took a word of the quote
            if subj is None:
                continue
        kind = "indirect"
        for k in lq.overlapping(s, e):
            qs, qe, qclose = lq[k][0], lq[k][1], lq[k][3]
            us, ue = min(s, qs), max(e, qe)
            outside = _WORDS.findall(text[us:qs] + " " + text[qe:ue])
            if not outside:  # the clause is the quote
                s, e, kind = qs, qe, "direct"
            else:  # words of the reporter around quoted words ('that "..."' included)
                if qclose is not None and e <= qclose:
                    ue = qclose + 1  # content ending inside the quote takes its closing mark
                s, e, kind = us, ue, "mixed"
            used_quotes.add(k)
        if kind == "direct":
            # the other part of a quote interrupted by its cue ('"A," she said, "B."')
            s, e = _merge_interrupted(text, lq, used_quotes, cand.cue.idx, s, e)
        out.append(
            Statement(s + off, e + off, kind, (cand.cue_start + off, cand.cue_end + off), subj, off)
        )
        used_cues.add(cand.cue.i)
    for k in range(len(lq)):
        if k in used_quotes:
            continue
        st = _quote_statement(doc, text, starts, lq, k, used_quotes, used_cues, off, paras)
        if st is not None:
            out.append(st)
    return out


def _colon_lines(doc: Doc, text: str, lq: list, used: set[int], off: int) -> list:
    """'MORALES: Well, ...' (transcripts) and 'Okafor: Talks must resume ...' (headlines): a
    short capitalised name, a colon, and the rest of the line as what was said."""
    out = []
    for line in re.finditer(r"[^\n]+", text):
        m = _COLON_LINE.match(text, line.start(), line.end())
        if m is None:
            continue
        name = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if name is None:
            continue
        upper = m.group("name").isupper() and len(m.group("name")) > 2
        named = all(t.ent_type_ in ("PERSON", "ORG") for t in name)
        if not (upper or (named and all(t.pos_ in ("PROPN", "NOUN") for t in name))):
            continue
        b_start, b_end = m.start("body"), m.end("body")
        while b_end > b_start and text[b_end - 1] in ' \t."”’':
            b_end -= 1
        if b_end - b_start < 10:
            continue
        used.update(lq.overlapping(b_start, b_end))
        colon = m.end("name") + text[m.end("name") : m.start("body")].index(":")
        st = Statement(b_start + off, b_end + off, "direct", (colon + off, colon + 1 + off),
                       name.root, off)  # fmt: skip
        st.subj_span = (name.start, name.end)
        out.append(st)
    return out


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


def _merge_interrupted(
    text: str, lq: list, used: set[int], cue_at: int, s: int, e: int
) -> tuple[int, int]:
    """Extend a direct statement [s, e) over the quote just before or after its cue."""
    own = [k for k in lq.overlapping(s, e) if lq[k][0] >= s and lq[k][1] <= e]
    if not own:
        return s, e
    first, last = own[0], own[-1]
    close = lq[last][3] if lq[last][3] is not None else lq[last][1]
    if last + 1 < len(lq) and last + 1 not in used:
        nxt = lq[last + 1]
        if _joins(text, lq[last][1], close, nxt[2], cue_at):
            used.add(last + 1)
            return s, nxt[1]
    if first > 0 and first - 1 not in used:
        prev = lq[first - 1]
        prev_close = prev[3] if prev[3] is not None else prev[1]
        if _joins(text, prev[1], prev_close, lq[first][2], cue_at):
            used.add(first - 1)
            return prev[0], e
    return s, e


def _quote_statement(
    doc: Doc,
    text: str,
    starts: list[int],
    lq: list,
    k: int,
    used_quotes: set[int],
    used_cues: set[int],
    off: int,
    paras: Paragraphs,
) -> Statement | None:
    qs, qe, qopen, qclose = lq[k]
    close = qclose + 1 if qclose is not None else qe
    line_end = _line_end(text, close)
    # '"..." ― Name' at the end of a line: collected reactions, tweets
    dash = _DASH_SOURCE.match(text, close, line_end)
    if dash is not None and dash.end(1) - dash.start(1) > 1:
        name = doc.char_span(dash.start(1), dash.end(1), alignment_mode="expand")
        if name is not None and any(t.is_alpha and t.is_title for t in name):
            used_quotes.add(k)
            cue_at = dash.start() + len(dash.group()) - len(dash.group().lstrip())
            st = Statement(qs + off, qe + off, "direct", (cue_at + off, cue_at + 1 + off),
                           name.root, off)  # fmt: skip
            st.subj_span = (name.start, name.end)
            return st
    # trailing cue: '"...," she said' up to the next quote, sentence or paragraph end
    nxt = lq[k + 1][2] if k + 1 < len(lq) else len(text)
    stop = min(nxt, line_end)
    ends = sentence_ends(text, close, stop)
    win_end = ends[0] + 1 if ends else stop
    last_char = text[qs:qe].rstrip(" \t'’\"")[-1:]  # the end of the words, inner marks aside
    cue = None
    if last_char in (",", "?", "!", "—", "–", "-", ":") or text[close:win_end].lstrip()[:1] in (
        ",", "—", "–",
    ):  # fmt: skip
        cue = _window_cue(_tokens_in(doc, starts, close, win_end), True, lq)
    if cue is not None and cue.i in used_cues:
        cue = None
    subj = None
    if cue is not None:
        subj = _speaker_token(cue, lq)
        if subj is None or subj.idx < close:
            cue = None
    interrupted_end = None
    if cue is not None and k + 1 < len(lq) and _joins(text, qe, close, nxt, cue.idx):
        interrupted_end = lq[k + 1][1]
    if cue is None:
        # leading cue: 'He said: "..."' in the sentence before the opening mark
        para_start = paras.starts[paras.index(qopen + off)] - off
        prev_close = max(para_start, 0, lq[k - 1][1] if k > 0 else 0)
        lead_ends = sentence_ends(text, prev_close, qopen)
        lead_start = lead_ends[-1] + 1 if lead_ends and lead_ends[-1] + 2 < qopen else prev_close
        lead = text[lead_start:qopen].rstrip()
        if lead and lead[-1] not in ".!?":
            cue = _window_cue(_tokens_in(doc, starts, lead_start, qopen), False, lq)
        elif not lead and para_start > 0:
            prev = text[max(0, para_start - 400) : para_start].rstrip()
            if prev.endswith(":"):
                a = max(0, para_start - 400) + prev.rfind("\n") + 1
                cue = _window_cue(_tokens_in(doc, starts, a, para_start), False, lq)
        if cue is not None and cue.i in used_cues:
            cue = None
        if cue is not None:
            subj = _speaker_token(cue, lq)
            if subj is None or subj.idx >= qopen:
                cue = None
    if cue is not None:
        used_cues.add(cue.i)
        end = qe
        if interrupted_end is not None:
            used_quotes.add(k + 1)
            end = interrupted_end
        used_quotes.add(k)
        cue_span = (cue.idx + off, cue.idx + len(cue) + off)
        return Statement(qs + off, end + off, "direct", cue_span, subj, off)
    # no cue: a quote standing as its own sentence takes the speaker of the passage
    before = _char_before(text, qopen)
    standalone = before == "" or before in '.!?:\n”"’'
    if not standalone or len(text[qs:qe].split()) < MIN_NOCUE_WORDS:
        return None
    used_quotes.add(k)
    return Statement(qs + off, qe + off, "direct", None, None, off, inherit=True)


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
