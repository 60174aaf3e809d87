"""Index pages, error pages, the admin and the phone layout, in a real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import test_browser
from tests.curation_factories import make_user
from tests.factories import make_article, make_quote, make_speaker

# The browser tests' fixtures: reference data after each flush, statements, console errors.
reference_data = test_browser.reference_data
statements = test_browser.statements
console_errors = test_browser.console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def page_overflow(page: Page) -> int:
    """How far the page scrolls sideways (0: it fits the screen)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def inside_viewport(page: Page, selector: str) -> list[bool]:
    width = page.viewport_size["width"]
    boxes = [el.bounding_box() for el in page.locator(selector).all()]
    shown = [box for box in boxes if box is not None]  # hidden ones have no box
    assert shown, selector
    return [box["x"] >= 0 and box["x"] + box["width"] <= width for box in shown]


def log_in(page: Page, live_server) -> None:
    make_user(superuser=True, username="editor")
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.fixture
def more_statements(statements):
    """Enough speakers and countries for wide facet cards."""
    for n, name in enumerate(("Maria Fernanda Alvarez-Castellanos", "Ahmet Yıldız", "Lin Wen")):
        speaker = make_speaker(name, country=("MX", "TR", "CN")[n], role="Minister")
        make_quote(text=f"Statement {n} on trade", speaker=speaker, countries=("US", "BR"))
    return statements


@pytest.mark.browser_context_args(viewport=PHONE)
def test_phone_facet_cards_show_whole_and_say_they_scroll(
    live_server, page, more_statements, console_errors
):
    page.goto(live_server.url + "/")
    facets = page.locator(".facets")
    assert page_overflow(page) == 0
    assert facets.evaluate("el => el.scrollWidth > el.clientWidth")  # a row that scrolls...
    hint = page.evaluate(
        "getComputedStyle(document.querySelector('.results-grid'), '::before').content"
    )
    assert "swipe" in hint.lower()  # ...and says so
    first = page.locator(".facet").first
    assert all(inside_viewport(page, ".facet >> nth=0"))  # the first card whole
    assert all(inside_viewport(page, ".facet >> nth=0 >> .n"))  # with every count
    expect(first.locator(".n").first).to_be_visible()
    # Swiped to the end, the last card shows whole, counts too.
    facets.evaluate("el => el.scrollTo({left: el.scrollWidth})")
    page.wait_for_function(
        "el => Math.ceil(el.scrollLeft + el.clientWidth) >= el.scrollWidth",
        arg=facets.element_handle(),
    )
    assert all(inside_viewport(page, ".facet >> nth=-1 >> .n"))


@pytest.mark.browser_context_args(viewport=PHONE)
def test_phone_upload_list_shows_every_column(live_server, page, statements):
    log_in(page, live_server)
    page.goto(live_server.url + "/upload/")
    page.get_by_label("Or paste the text").fill(
        "A rather long headline about envoys meeting in Vienna for talks\n\n"
        "“We will meet again,” the envoy said."
    )
    page.get_by_role("button", name="Upload").click()
    row = page.locator(".upload-table tbody tr").first
    count = row.locator("td.num")
    expect(count).to_be_visible()
    assert "Statements" in count.evaluate("el => getComputedStyle(el, '::before').content")
    assert page_overflow(page) == 0
    assert all(inside_viewport(page, ".upload-table tbody tr >> nth=0 >> td"))


@pytest.mark.parametrize(
    "viewport", [PHONE, {"width": 1366, "height": 900}], ids=["phone", "desktop"]
)
def test_index_pages_from_the_menu(live_server, browser, statements, viewport):
    page = browser.new_page(viewport=viewport)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Countries").click()
    expect(page).to_have_url(re.compile(r"/countries/$"))
    expect(page.get_by_role("heading", name="Countries", level=1)).to_be_visible()
    turkey = page.get_by_role("row", name=re.compile("Türkiye"))
    expect(turkey).to_be_visible()
    assert page_overflow(page) == 0
    turkey.get_by_role("link", name=re.compile("mentioning Türkiye")).click()
    expect(page).to_have_url(re.compile(r"/countries/tr/\?section=about$"))
    expect(page.locator("#results .quote")).to_have_count(1)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Topics").click()
    expect(page.get_by_role("heading", name="Topics", level=1)).to_be_visible()
    assert page_overflow(page) == 0
    assert errors == []
    page.close()


def test_not_found_page_in_the_sites_style(live_server, page, settings):
    settings.DEBUG = False
    response = page.goto(live_server.url + "/speakers/nobody-here/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("No speaker with that name.")).to_be_visible()
    # Styled like the site (its stylesheet loaded), with a way on.
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).display")
    assert header == "flex"
    page.get_by_label("Search the statements").fill("dialogue")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/\?q=dialogue$"))


def test_admin_change_list_rows_stay_on_one_line(live_server, page, statements):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server)
    expect(page.locator("#site-name")).to_have_text("Newsroom")
    title = (
        "Foreign ministers of the Black Sea states agree after two days of talks in Varna "
        "to reopen the grain corridor and to meet again before the harvest"
    )
    article = make_article(title=title, body=f"{title}\n\n“We agree,” the minister said.")
    make_quote(text="We agree,", article=article, speaker=make_speaker("Ana Petrova"))
    page.goto(live_server.url + "/admin/statements/quote/")
    expect(page.get_by_role("heading", name="Select statement to change")).to_be_visible()
    link = page.locator(f'td.field-article_link a[title="{title}"]')
    line = float(link.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 20"))
    assert link.bounding_box()["height"] < 1.5 * line  # one line, not five
    # Nothing cut off at the right: the table fits beside the filters.
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth")
