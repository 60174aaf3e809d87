"""The browsing pages in a real Chromium: suggestions, facets, history, highlights, no JS."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from statements.models import Country, Topic
from statements.nlp import default_topics, iter_countries
from tests.factories import make_article, make_quote, make_speaker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The countries and topics the data migration loads: the flush after each live-server
    test empties every table. (serialized_rollback would restore them, but its snapshot is
    missing on the connection when other tests ran first in the same session.)"""
    Country.objects.bulk_create(
        [
            Country(code=code, name=name, aliases=aliases)
            for code, name, aliases in iter_countries()
        ],
        ignore_conflicts=True,
    )
    Topic.objects.bulk_create(
        [
            Topic(slug=t.slug, name=t.name, keywords=t.keywords, weak_keywords=t.weak)
            for t in default_topics()
        ],
        ignore_conflicts=True,
    )


@pytest.fixture
def statements():
    jens = make_speaker(
        "Jens Stoltenberg",
        country="NO",
        role="NATO Secretary General",
        aliases=("Stoltenberg",),
    )
    kay = make_speaker("Kay Bailey Hutchison", country="US", role="Permanent Representative")
    erdogan = make_speaker("Recep Tayyip Erdoğan", country="TR", role="President")
    body = (
        "NATO calls US for dialogue\n\n"
        "NATO Secretary General Jens Stoltenberg reiterated that buying the S-400 is "
        "Turkey's national decision.\n\n"
        '"We are very worried," she warned.'
    )
    article = make_article(
        title="NATO calls US for dialogue", body=body, published=dt.date(2024, 2, 1)
    )
    s400 = make_quote(
        text="buying the S-400 is Turkey's national decision",
        article=article,
        speaker=jens,
        kind="indirect",
        cue="reiterated",
        countries=("TR",),
    )
    worried = make_quote(
        text="We are very worried,",
        article=article,
        speaker=kay,
        kind="direct",
        cue="warned",
        countries=("US",),
    )
    make_quote(
        text="Our decision is sovereign",
        speaker=erdogan,
        countries=("RU",),
        published=dt.date(2024, 3, 1),
    )
    return {"article": article, "s400": s400, "worried": worried}


@pytest.fixture
def console_errors(page: Page):
    """Console errors (CSP violations show up here) and uncaught exceptions of the page."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield errors
    assert errors == []


def statement_texts(page: Page) -> list[str]:
    return page.locator("#results .quote blockquote").all_inner_texts()


def mark_page(page: Page) -> None:
    """Set a flag that survives HTMX swaps but not a full page load."""
    page.evaluate("window.__noReload = true")


def was_not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__noReload === true")


def test_pick_a_speaker_suggestion_with_the_keyboard(live_server, page, statements, console_errors):
    page.goto(live_server.url + "/")
    expect(page.locator("#results .quote")).to_have_count(3)
    mark_page(page)
    box = page.get_by_role("combobox", name="Speaker", exact=True)
    box.press_sequentially("stoltenb", delay=30)
    option = page.get_by_role("option", name=re.compile("Jens Stoltenberg"))
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"\?speaker=jens-stoltenberg$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.locator("#results .chips")).to_contain_text("Speaker: Jens Stoltenberg")
    expect(page).to_have_title(re.compile("^Statements by Jens Stoltenberg"))
    # The box shows the name; the URL keeps the slug, also when another filter changes.
    expect(box).to_have_value("Jens Stoltenberg")
    page.get_by_label("Kind").select_option("indirect")
    expect(page).to_have_url(re.compile(r"\?speaker=jens-stoltenberg&kind=indirect$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(box).to_have_value("Jens Stoltenberg")
    assert was_not_reloaded(page)
    # Editing the name makes it typed text again.
    box.fill("Kay")
    box.press("Escape")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"\?speaker=Kay&kind=indirect$"))


def test_pick_a_speaker_suggestion_with_the_mouse(live_server, page, statements, console_errors):
    page.goto(live_server.url + "/")
    page.get_by_label("Speaker", exact=True).press_sequentially("erdogan", delay=30)
    page.get_by_role("option", name=re.compile("Recep Tayyip Erdoğan")).click()
    expect(page).to_have_url(re.compile(r"\?speaker=recep-tayyip-erdogan$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(page.get_by_label("Speaker", exact=True)).to_have_value("Recep Tayyip Erdoğan")


def test_typed_speaker_with_a_typo_filters_like_the_suggestion(
    live_server, page, statements, console_errors
):
    page.goto(live_server.url + "/")
    box = page.get_by_label("Speaker", exact=True)
    box.press_sequentially("hutchinson", delay=20)
    expect(page.get_by_role("option", name=re.compile("Kay Bailey Hutchison"))).to_be_visible()
    box.press("Escape")
    box.press("Enter")  # what was typed, not the suggestion
    expect(page).to_have_url(re.compile(r"\?speaker=hutchinson$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text(
        "Showing statements by Kay Bailey Hutchison (matched “hutchinson”)"
    )


def test_speaker_facet_shows_the_name_in_the_box(live_server, page, statements, console_errors):
    page.goto(live_server.url + "/")
    page.locator(".facet-speaker").get_by_role("link", name="Jens Stoltenberg").click()
    expect(page).to_have_url(re.compile(r"\?speaker=jens-stoltenberg$"))
    expect(page.get_by_label("Speaker", exact=True)).to_have_value("Jens Stoltenberg")
    page.get_by_label("Kind").select_option("indirect")
    expect(page).to_have_url(re.compile(r"\?speaker=jens-stoltenberg&kind=indirect$"))
    expect(page.locator("#results .quote")).to_have_count(1)


def test_country_facet_updates_list_and_url_and_back_restores(
    live_server, page, statements, console_errors
):
    page.goto(live_server.url + "/")
    expect(page.locator("#results .quote")).to_have_count(3)
    mark_page(page)
    facet = page.locator(".facet-country").get_by_role("link", name="Türkiye")
    facet.click()
    expect(page).to_have_url(re.compile(r"/\?country=TR$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Turkey's national decision")
    assert was_not_reloaded(page)
    # The form follows the URL, so the next change keeps the facet's filter.
    expect(page.get_by_label("Country mentioned")).to_have_value("TR")
    page.get_by_label("Kind").select_option("indirect")
    expect(page).to_have_url(re.compile(r"country=TR&kind=indirect"))
    expect(page.locator("#results .quote")).to_have_count(1)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?country=TR$"))
    expect(page.get_by_label("Kind")).to_have_value("")
    page.go_back()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("#results .quote")).to_have_count(3)
    expect(page.get_by_label("Country mentioned")).to_have_value("")
    page.go_forward()
    expect(page.locator("#results .quote")).to_have_count(1)


def test_typing_in_the_search_box_updates_results(live_server, page, statements, console_errors):
    page.goto(live_server.url + "/")
    mark_page(page)
    page.get_by_label("Words").press_sequentially("worried", delay=20)
    expect(page).to_have_url(re.compile(r"\?q=worried$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.get_by_label("Words")).to_be_focused()
    assert was_not_reloaded(page)
    page.get_by_label("Words").fill("zzzz nothing")
    expect(page.locator("#results .empty")).to_contain_text("No statements match")


def test_article_page_highlights_statements(live_server, page, statements, console_errors):
    s400, worried = statements["s400"], statements["worried"]
    page.goto(live_server.url + "/?speaker=jens-stoltenberg")
    page.locator("#results .source a").first.click()
    expect(page).to_have_url(re.compile(rf"/articles/{s400.article_id}/#q{s400.pk}$"))
    mark = page.locator(f"mark#q{s400.pk}")
    expect(mark).to_have_text("buying the S-400 is Turkey's national decision")
    expect(mark).to_have_attribute("title", "Jens Stoltenberg: reiterated")
    expect(page.locator(f"mark#q{worried.pk}")).to_have_text("We are very worried,")
    # Keyboard users reach the statement and see who said it.
    mark.focus()
    expect(mark).to_be_focused()
    tooltip = mark.evaluate("el => getComputedStyle(el, '::after').content")
    assert "Jens Stoltenberg" in tooltip
    expect(page.locator(".statement-index")).to_contain_text("Kay Bailey Hutchison")
    page.locator(".statement-index").get_by_role("link", name="Kay Bailey Hutchison").click()
    expect(page).to_have_url(re.compile(r"/speakers/kay-bailey-hutchison/$"))


def test_article_page_shows_one_tooltip_at_a_time(live_server, page, statements, console_errors):
    s400, worried = statements["s400"], statements["worried"]
    page.goto(f"{live_server.url}{s400.get_absolute_url()}")
    target, other = page.locator(f"mark#q{s400.pk}"), page.locator(f"mark#q{worried.pk}")

    def tooltip(mark) -> str:
        return mark.evaluate("el => getComputedStyle(el, '::after').content")

    target.focus()  # as on arrival by its #anchor, or by the keyboard
    assert "Jens Stoltenberg" in tooltip(target)
    other.hover()
    assert "Kay Bailey Hutchison" in tooltip(other)
    assert tooltip(target) == "none"
    page.mouse.move(0, 0)
    assert "Jens Stoltenberg" in tooltip(target)


def test_nested_statements_show_only_the_inner_tooltip(live_server, page, console_errors):
    outer_speaker, inner_speaker = make_speaker("Outer Person"), make_speaker("Inner Person")
    article = make_article(body="Title\n\nHe said that they said it was fine today.")
    outer = make_quote(
        text="that they said it was fine today", article=article, speaker=outer_speaker
    )
    inner = make_quote(text="it was fine", article=article, speaker=inner_speaker)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    inner_mark = page.locator(f"mark#q{inner.pk}")
    # The outer statement is split around the inner one: the piece that encloses it.
    outer_mark = page.locator(f"mark.stmt:has(> mark#q{inner.pk})")
    assert "Outer Person" in outer_mark.get_attribute("data-label")
    assert page.locator(f"mark#q{outer.pk}").count() == 1
    inner_mark.hover()
    assert "Inner Person" in inner_mark.evaluate("el => getComputedStyle(el, '::after').content")
    assert outer_mark.evaluate("el => getComputedStyle(el, '::after').content") == "none"


def test_speaker_page_chart_and_filters(live_server, page, statements, console_errors):
    page.goto(live_server.url + "/speakers/jens-stoltenberg/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jens Stoltenberg")
    expect(page.locator(".chart svg rect")).to_have_count(12)
    expect(page.locator(".chart svg a").last).to_have_attribute(
        "aria-label", "Feb 2024: 1 statement"
    )
    page.get_by_label("Kind").select_option("direct")
    expect(page).to_have_url(re.compile(r"/speakers/jens-stoltenberg/\?kind=direct$"))
    expect(page.locator("#results .empty")).to_contain_text("No statements match")


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_everything_works_without_javascript(live_server, page, statements):
    page.goto(live_server.url + "/")
    page.locator(".facet-country").get_by_role("link", name="Türkiye").click()
    expect(page).to_have_url(re.compile(r"/\?country=TR$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    page.get_by_label("Speaker", exact=True).fill("hutchison")
    page.get_by_label("Country mentioned").select_option("")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/\?speaker=hutchison$"))  # no empty fields
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("We are very worried")
    page.get_by_role("link", name=re.compile("Clear filters")).click()
    expect(page.locator("#results .quote")).to_have_count(3)
    # A speaker's slug in the URL shows as their name, and filtering again keeps them.
    page.goto(live_server.url + "/?speaker=jens-stoltenberg")
    expect(page.get_by_label("Speaker", exact=True)).to_have_value("Jens Stoltenberg")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Turkey's national decision")


@pytest.mark.browser_context_args(viewport={"width": 390, "height": 844})
def test_phone_folds_the_less_used_filters(live_server, page, statements, console_errors):
    page.goto(live_server.url + "/")
    toggle = page.locator(".filters-toggle")
    expect(toggle).to_have_accessible_name("More filters")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_label("Topic")).to_be_hidden()
    expect(page.locator("#results .quote").first).to_be_in_viewport()
    # The facet cards are as tall as their row: no blank gap under a short one.
    heights = {round(card.bounding_box()["height"]) for card in page.locator(".facet").all()}
    assert len(heights) == 1, heights
    # The export links follow the count, off the right edge.
    bar, exports = (
        page.locator(".results-bar").bounding_box(),
        page.locator(".exports").bounding_box(),
    )
    assert exports["x"] + exports["width"] < bar["x"] + bar["width"] - 16
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_accessible_name("Fewer filters")
    toggle.click()
    expect(toggle).to_have_accessible_name("More filters")
    expect(page.get_by_label("Topic")).to_be_hidden()
    toggle.click()
    page.get_by_label("Kind").select_option("direct")
    expect(page).to_have_url(re.compile(r"\?kind=direct$"))
    expect(page.locator("#results .quote")).to_have_count(2)
    # A page that arrives with one of them set shows them open.
    page.goto(live_server.url + "/?topic=sanctions")
    expect(page.get_by_label("Topic")).to_be_visible()
    expect(toggle).to_have_accessible_name("Fewer filters (1)")


def test_relations_cell_leads_to_the_filtered_list(live_server, page, statements, console_errors):
    page.goto(live_server.url + "/relations/")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Türkiye")).to_be_visible()
    cell = table.get_by_role("link", name=re.compile(r"^Norway about Türkiye: 1 statement$"))
    cell.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/\?speaker_country=NO&country=TR$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    expect(page.locator("#results .quote blockquote")).to_contain_text("S-400")


def test_relations_on_a_phone_lists_the_busiest_pairs(live_server, page, statements):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/relations/")
    expect(page.get_by_role("table")).to_be_hidden()
    pair = page.get_by_role("link", name=re.compile("Norway about Türkiye"))
    expect(pair).to_be_visible()
    pair.click()
    expect(page).to_have_url(re.compile(r"/relations/no/tr/$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    page.get_by_role("link", name=re.compile("The other way round")).click()
    expect(page).to_have_url(re.compile(r"/relations/tr/no/$"))
