"""Quotation-mark scanning on raw text."""

from statements.nlp.quotes import scan_quotes


def contents(text: str) -> list[str]:
    return [text[q.start : q.end] for q in scan_quotes(text)]


def test_straight_and_curly_marks():
    text = 'She called it "a good day" and added “we will see.” Then «fine» it was.'
    assert contents(text) == ["a good day", "we will see.", "fine"]


def test_unbalanced_mark_closes_at_paragraph_end():
    text = 'He said "this never closes\n\nNext paragraph "is quoted" here.'
    assert contents(text) == ["this never closes", "is quoted"]
    assert scan_quotes(text)[0].close is None


def test_new_opening_mark_ends_an_unclosed_quote():
    text = "“First part without an end. “Second part,” she said."
    assert contents(text) == ["First part without an end.", "Second part,"]


def test_quote_over_paragraphs_with_repeated_opening_mark():
    text = "“The first paragraph goes on.\n\n“The second one ends here,” he said.\n\nAfter."
    spans = scan_quotes(text)
    assert len(spans) == 1
    assert spans[0].paragraphs == 2
    assert text[spans[0].start : spans[0].end].endswith("ends here,")


def test_apostrophes_and_inch_marks_do_not_break_scanning():
    text = 'It\'s a 12" pipe, the workers\' "best" tool.'
    assert "best" in contents(text)


def test_many_unbalanced_marks_are_linear_and_safe():
    text = ('" ' * 5000) + "“" * 3000 + "\n" + "”" * 3000
    spans = scan_quotes(text)
    for q in spans:
        assert 0 <= q.start <= q.end <= len(text)


def test_empty_and_mark_only_texts():
    assert scan_quotes("") == []
    assert contents('"') == []
    assert contents('""') == []


def test_british_single_quotes_outside_double_quotes():
    text = "‘We will respond firmly,’ the minister said. He didn’t say when."
    assert contents(text) == ["We will respond firmly,"]
    assert contents("“She said ‘no’ twice,” he said.") == ["She said ‘no’ twice,"]
    assert contents("The leaders’ summit and the ministers’ talks went on.") == []
