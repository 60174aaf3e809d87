"""Statement detection and attribution on invented sentences, one construction each."""

from .conftest import find, speaker_of


def test_direct_quote_straight_marks_trailing_cue(ann):
    r = ann('"The harbour will reopen next week," Maria Lindqvist said on Tuesday.')
    q = find(r, "harbour will reopen")
    assert q.kind == "direct"
    assert q.cue.text == "said"
    assert speaker_of(r, q) == "Maria Lindqvist"
    assert q.mention.text == "Maria Lindqvist"


def test_direct_quote_curly_marks_inverted_cue(ann):
    r = ann("“We expect a decision before winter,” said Tomas Berglund, the port director.")
    q = find(r, "decision before winter")
    assert q.kind == "direct"
    assert speaker_of(r, q) == "Tomas Berglund"


def test_leading_cue_with_colon(ann):
    r = ann("Foreign Minister Anna Keller told reporters: “Our borders remain open to trade.”")
    q = find(r, "borders remain open")
    assert q.kind == "direct"
    assert q.cue.text == "told"
    assert speaker_of(r, q) == "Anna Keller"


def test_unbalanced_quote_still_attributed(ann):
    r = ann("Paolo Verdi said: “The talks have failed and nobody wants to admit it.\n\nLater news.")
    q = find(r, "talks have failed")
    assert speaker_of(r, q) == "Paolo Verdi"


def test_multi_paragraph_quote_is_one_statement(ann):
    text = (
        "Ines Duarte spoke at length about the budget.\n\n"
        "“We have cut spending in every ministry this year.\n\n"
        "“We will cut it again next year if the economy does not grow,” Duarte said.\n"
    )
    r = ann(text)
    q = find(r, "cut spending in every ministry")
    assert "cut it again next year" in q.text
    assert speaker_of(r, q) == "Ines Duarte"


def test_interrupted_quote_is_one_statement(ann):
    text = "“The deal is fair,” the envoy Karl Brenner said, “and it will hold for a decade.”"
    r = ann(text)
    q = find(r, "The deal is fair")
    assert "hold for a decade" in q.text
    assert q.start == text.index("The deal")
    assert speaker_of(r, q) == "Karl Brenner"
    assert len([x for x in r.quotes if "deal is fair" in x.text or "decade" in x.text]) == 1


def test_interrupted_quote_across_the_cue_sentence(ann):
    text = "“Prices will fall,” Hanna Weber said. “Nobody should panic about the winter.”"
    r = ann(text)
    q = find(r, "Prices will fall")
    assert "Nobody should panic" in q.text


def test_mixed_quote(ann):
    r = ann('Olga Petrov said there would be "serious consequences" for the smugglers.')
    q = find(r, "serious consequences")
    assert q.kind == "mixed"
    assert q.text.startswith("there would be")
    assert speaker_of(r, q) == "Olga Petrov"


def test_mixed_quote_ending_inside_the_quotation_keeps_its_closing_mark(ann):
    r = ann('Envoy Mira Holt added that the delay would be "very costly."')
    q = find(r, "very costly")
    assert q.kind == "mixed"
    assert q.text == 'that the delay would be "very costly."'


def test_that_clause_made_of_a_quotation_is_mixed(ann):
    r = ann('Envoy Mira Holt said on Friday that "the border stays open."')
    q = find(r, "border stays open")
    assert q.kind == "mixed"
    assert q.text == 'that "the border stays open."'


def test_fronted_participle_with_a_noun_phrase_is_no_statement(ann):
    text = (
        "Commenting on a question from a local reporter about the harbour, Mayor Pia Lund "
        "said the works would finish in June. "
        "Stating that the budget was tight, Lund left the meeting early."
    )
    r = ann(text)
    assert not any("question from" in q.text for q in r.quotes)
    assert speaker_of(r, find(r, "works would finish")) == "Pia Lund"
    q = find(r, "budget was tight")
    assert q.cue.text == "Stating"
    assert speaker_of(r, q) == "Pia Lund"


def test_reported_speech_with_several_cue_verbs(ann):
    text = (
        "Minister Lena Hartmann warned that the ceasefire was fragile. "
        "She stressed that both sides must withdraw their troops. "
        "Hartmann denied that any deal had been signed."
    )
    r = ann(text)
    for fragment, cue in (
        ("ceasefire was fragile", "warned"),
        ("both sides must withdraw", "stressed"),
        ("any deal had been signed", "denied"),
    ):
        q = find(r, fragment)
        assert q.kind == "indirect"
        assert q.cue.text == cue
        assert speaker_of(r, q) == "Lena Hartmann"


def test_called_on_and_urged(ann):
    r = ann("Gustav Lind called on the neighbours to reopen the border and urged rivals to talk.")
    q = find(r, "neighbours to reopen")
    assert q.cue.text == "called on"
    assert speaker_of(r, q) == "Gustav Lind"


def test_according_to(ann):
    r = ann("The convoy reached the city on Monday, according to the Red Cross.")
    q = find(r, "convoy reached the city")
    assert q.cue.text == "according to"
    assert speaker_of(r, q) == "International Committee of the Red Cross"


def test_cue_noun_in_a_statement(ann):
    r = ann("In a statement, the ministry said the embassy would stay closed until further notice.")
    q = find(r, "embassy would stay closed")
    assert q.cue.text == "said"
    assert q.mention.text == "the ministry"


def test_quote_without_cue_takes_the_passage_speaker(ann):
    text = (
        "Jonas Falk said the negotiations were difficult. "
        "“We sat for twelve hours and agreed on almost nothing at all.”"
    )
    r = ann(text)
    q = find(r, "twelve hours")
    assert q.cue is None
    assert speaker_of(r, q) == "Jonas Falk"


def test_headline_with_two_statements(ann):
    text = (
        "Alliance urges rivals to resume talks, says border closure a mistake\n\n"
        "The alliance on Friday urged both rivals to resume talks."
    )
    r = ann(text)
    head = [q for q in r.quotes if q.end <= text.index("\n")]
    assert len(head) == 2
    assert {speaker_of(r, q) for q in head} == {"NATO"}


def test_attributions_do_not_nest(ann):
    r = ann("Rita Moreau said the ministers discussed the crisis in detail.")
    assert len(r.quotes) == 1
    assert r.quotes[0].cue.text == "said"


def test_cue_noun_with_that_clause(ann):
    r = ann("Ruth Ambler's claim that the border was sealed surprised the envoys.")
    q = find(r, "border was sealed")
    assert q.cue.text == "claim"
    assert q.mention.text.startswith("Ruth Ambler")


def test_passive_with_agent(ann):
    r = ann("The new treaty was criticised by Simon Grey during the debate.")
    q = find(r, "new treaty")
    assert speaker_of(r, q) == "Simon Grey"


def test_intent_verb_with_infinitive(ann):
    r = ann("Nadia Roux refused to release the minutes of the meeting.")
    q = find(r, "release the minutes")
    assert q.cue.text == "refused"
    assert speaker_of(r, q) == "Nadia Roux"


def test_dateline_is_not_the_speaker(ann):
    r = ann("OSLO (Reuters) -- Prime Minister Eva Strand said on Monday the talks would resume.")
    q = find(r, "talks would resume")
    assert speaker_of(r, q) == "Eva Strand"


def test_parenthetical_cue(ann):
    r = ann("The embargo, Carlos Mendes said, would be lifted within a month.")
    q = find(r, "would be lifted")
    assert q.start == 0
    assert speaker_of(r, q) == "Carlos Mendes"


def test_dash_attribution_after_quote(ann):
    text = "“We deserve better leaders than these.” ― Lucia Ferraro\n“Enough.” ― Tom Reyes"
    r = ann(text)
    assert speaker_of(r, find(r, "deserve better")) == "Lucia Ferraro"


def test_transcript_speaker_labels(ann):
    text = "MODERATOR: Will you accept the result of the vote?\n\nKELLER: We will accept it."
    r = ann(text)
    q = find(r, "We will accept it")
    assert q.mention.text == "KELLER"


def test_british_single_quotes(ann):
    r = ann("‘We will not accept this,’ said Fiona Marsh, the trade minister.")
    q = find(r, "will not accept")
    assert q.kind == "direct"
    assert speaker_of(r, q) == "Fiona Marsh"


def test_said_with_a_participle_gives_two_statements(ann):
    r = ann("Experts said prices had doubled, citing figures from the central bank.")
    said, citing = find(r, "prices had doubled"), find(r, "figures from")
    assert said is not citing
    assert citing.mention.text == "Experts"


def test_run_of_quoted_paragraphs_keeps_the_speaker(ann):
    text = (
        "Nora Lind said the agreement was a turning point.\n\n"
        "“It took us three years to get here and many nights of talks.”\n\n"
        "“Nobody in this room expected the other side to sign in the end.”\n"
    )
    r = ann(text)
    assert speaker_of(r, find(r, "three years")) == "Nora Lind"
    assert speaker_of(r, find(r, "Nobody in this room")) == "Nora Lind"


def test_quote_after_a_participle_cue_is_separate(ann):
    text = "“The port stays shut,” Ana Ruiz said, adding later, “the ships can wait.”"
    r = ann(text)
    first = find(r, "port stays shut")
    assert "ships can wait" not in first.text


def test_full_stop_quote_does_not_join_the_next_cue(ann):
    text = "I told her: “We will leave at dawn.” To which Rosa Lenz said, “Then take the car.”"
    r = ann(text)
    q = find(r, "take the car")
    assert "leave at dawn" not in q.text
    assert speaker_of(r, q) == "Rosa Lenz"


def test_cue_after_a_preposition_takes_the_clause_subject(ann):
    r = ann("Lena Fors opened the session by saying that the budget was final.")
    q = find(r, "budget was final")
    assert speaker_of(r, q) == "Lena Fors"
