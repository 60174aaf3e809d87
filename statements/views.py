"""Pages: parse the query string, call selectors, render.

The statement list, speaker, country and topic pages share one browser (`_browse`): the
same filters, facets, pagination, HTMX fragment and CSV/JSON twins, with some filters fixed
by the page itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import date as format_date
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from statements import exports, selectors, selectors_relations
from statements.charts import months_chart
from statements.conditional import conditional_on_data
from statements.feeds import FEED_SIZE, FeedPage, feed_response
from statements.forms import QuoteFilterForm, SpeakerSearchForm
from statements.fragments import interruptions
from statements.health import health_report
from statements.highlight import Mark, highlight
from statements.models import Country, Quote, Topic
from statements.nlp.names import fold
from statements.selectors import FACETS, QuoteFilters

FORMATS = ("csv", "json", "atom")
# Both change what the same URL answers: a fragment, or the whole page.
HTMX_VARY = ("HX-Request", "HX-History-Restore-Request")
# Larger ids cannot be in the table, and some databases reject them outright.
MAX_ID = 2**63 - 1
SPEAKER_JSON_LIMIT = 50
MORE_FILTERS = ("speaker_country", "country", "topic", "kind", "date_from", "date_to")


@dataclass(frozen=True, slots=True)
class Links:
    """URLs of the current page with some query parameters changed (None removes one).

    Not Django's `{% querystring %}`: the same URLs are needed in Python (the HX-Push-Url
    header, facet and filter links built here), and the tag lives in templates only."""

    path: str
    params: dict[str, str]

    def url(self, **changes) -> str:
        params = dict(self.params)
        for key, value in changes.items():
            if value is None or value == "" or (key == "page" and value == 1):
                params.pop(key, None)
            else:
                params[key] = str(value)
        return f"{self.path}?{urlencode(params)}" if params else self.path


@dataclass(frozen=True, slots=True)
class FacetLink:
    label: str
    count: int
    selected: bool
    url: str  # adds this value, or removes it when selected


@dataclass(frozen=True, slots=True)
class FacetBox:
    name: str
    heading: str
    items: list[FacetLink]


@dataclass(frozen=True, slots=True)
class ActiveFilter:
    name: str
    label: str  # "Speaker's country: Turkey"
    phrase: str  # "by speakers from Turkey", for the page title
    remove_url: str


@dataclass(slots=True)
class BrowsePage:
    """What a statement-browsing page passes to its template."""

    base_title: str
    fixed: dict[str, str] = field(default_factory=dict)
    # Query parameters of the page that are not filters (the country page's section).
    extra_params: dict[str, str] = field(default_factory=dict)
    # Context for the full page only (a profile, a chart): not computed for fragments.
    full_page_context: Callable[[], dict] | None = None
    # The speakers a fixed speaker filter stands for, known by the page (by id, not slug).
    speaker_ids: tuple[int, ...] | None = None
    # Export file name; by default it is made of the filters (exports.export_filename).
    export_name: str = ""


def drop_empty_params(view):
    """Redirect a GET whose query string has empty parameters (what a form sends without
    JavaScript: `/?q=Turkey&speaker=&kind=`) to the same URL without them. Not for htmx
    requests: they swap a fragment and push the clean URL (HX-Push-Url) themselves."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.htmx:
            pairs = [(k, v) for k, values in request.GET.lists() for v in values]
            kept = [(k, v) for k, v in pairs if v.strip()]
            if len(kept) < len(pairs):
                query = urlencode(kept)
                return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        return view(request, *args, **kwargs)

    return wrapper


def _is_fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _render(request, template, context, *, status=200, push_url="") -> HttpResponse:
    """The whole page, or only its `results` partial for an HTMX request."""
    fragment = _is_fragment(request)
    context["fragment"] = fragment
    response = render(
        request, f"{template}#results" if fragment else template, context, status=status
    )
    if fragment and push_url:
        # The canonical URL (no empty parameters) goes into the address bar.
        response["HX-Push-Url"] = push_url
    return response


def _describe(
    filters: QuoteFilters,
    *,
    fixed: dict,
    links: Links,
    speaker_name: str,
    countries: dict[str, str],
    topics: dict[str, str],
) -> list[ActiveFilter]:
    kinds = dict(Quote.Kind.choices)
    described = []

    def add(name: str, label: str, phrase: str) -> None:
        if name not in fixed:
            described.append(ActiveFilter(name, label, phrase, links.url(**{name: None})))

    if filters.speaker:
        name = speaker_name or f"“{filters.speaker}”"
        add("speaker", f"Speaker: {name}", f"by {name}")
    if filters.speaker_country:
        country = countries.get(filters.speaker_country, filters.speaker_country)
        add("speaker_country", f"Speaker's country: {country}", f"by speakers from {country}")
    if filters.country:
        country = countries.get(filters.country, filters.country)
        add("country", f"Mentions: {country}", f"mentioning {country}")
    if filters.topic:
        topic = topics.get(filters.topic, filters.topic)
        add("topic", f"Topic: {topic}", f"on {topic}")
    if filters.kind:
        kind = kinds.get(filters.kind, filters.kind)
        add("kind", f"Kind: {kind}", f"in {kind.lower()} speech")
    if filters.date_from:
        day = format_date(filters.date_from, "j M Y")
        add("date_from", f"From: {day}", f"from {day}")
    if filters.date_to:
        day = format_date(filters.date_to, "j M Y")
        add("date_to", f"To: {day}", f"until {day}")
    if filters.q:
        add("q", f"Words: {filters.q}", f"matching “{filters.q}”")
    return described


def _speaker_match_note(match: selectors.SpeakerMatch | None) -> str:
    """'Showing statements by X (matched "x")' when the speaker filter was not the exact
    slug or name of one speaker, so that what was typed and what it found can be compared."""
    if match is None or not match.speakers or match.how == "slug":
        return ""
    if match.speaker and fold(match.speaker.name) == fold(match.text):
        return ""
    names = [s.name for s in match.speakers[:3]]
    others = len(match.speakers) - len(names) if match.complete else None
    if others is None:
        names.append("others")
    elif others:
        names.append(f"{others} other{'s' if others > 1 else ''}")
    who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"Showing statements by {who} (matched “{match.text}”)"


def _title(base: str, active: list[ActiveFilter], *, list_page: bool) -> str:
    if not active:
        return base
    phrases = ", ".join(a.phrase for a in active)
    return f"{base} {phrases}" if list_page else f"{base}: statements {phrases}"


def _facet_boxes(
    facets: dict[str, list[selectors.FacetValue]], filters: QuoteFilters, links: Links
) -> list[FacetBox]:
    boxes = []
    for name, values in facets.items():
        current = getattr(filters, name)
        items = [
            FacetLink(
                label=v.label,
                count=v.count,
                selected=v.value == current,
                url=links.url(**{name: None if v.value == current else v.value, "page": None}),
            )
            for v in values
        ]
        boxes.append(FacetBox(name=name, heading=FACETS[name], items=items))
    return boxes


def _invalid_filters(
    request: HttpRequest, *, template: str, page: BrowsePage, form: QuoteFilterForm, context: dict
) -> HttpResponse:
    """400 with the reasons: as JSON for an export, else the page with the form's errors."""
    if request.GET.get("format", ""):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    context |= {
        "title": f"{page.base_title}: check the filters",
        "filter_errors": [
            (form.fields[name].label if name in form.fields else "", error)
            for name, errors in form.errors.items()
            for error in errors
        ],
    }
    if page.full_page_context and not _is_fragment(request):
        context |= page.full_page_context()
    return _render(request, template, context, status=400)


# The list's download formats (the Atom feed is a page of its own below).
EXPORTS = {"csv": exports.csv_response, "json": exports.json_response}


def _browse(
    request: HttpRequest, *, template: str, page: BrowsePage, list_page: bool = False
) -> HttpResponse:
    fmt = request.GET.get("format", "")
    if fmt and fmt not in FORMATS:
        return JsonResponse(
            {"errors": {"format": ["Use format=csv, format=json or format=atom."]}}, status=400
        )
    countries = selectors.country_choices()
    topics = selectors.topic_choices()
    form = QuoteFilterForm(request.GET, countries=countries, topics=topics, fixed=page.fixed)
    country_names = {c.code: c.name for c in countries}
    topic_names = {t.slug: t.name for t in topics}
    topic_ids = {t.slug: t.pk for t in topics}
    context = {
        "form": form,
        "extra_params": page.extra_params,
        "list_page": list_page,
        "clear_url": Links(request.path, dict(page.extra_params)).url(),
        # How many filters besides words and speaker are set (they fold away on phones).
        "more_filters_active": sum(
            1 for name in MORE_FILTERS if name not in page.fixed and request.GET.get(name)
        ),
    }
    if not form.is_valid():
        return _invalid_filters(request, template=template, page=page, form=form, context=context)

    filters = form.filters(**page.fixed)
    if page.speaker_ids is not None:
        filters = replace(filters, speaker_ids=page.speaker_ids)
    if filters.topic:
        filters = replace(filters, topic_id=topic_ids.get(filters.topic))
    match = None
    if filters.speaker and "speaker" not in page.fixed:
        # A typed name filters as the suggestions would find it (a typo too).
        match = selectors.resolve_speaker(text=filters.speaker)
        filters = replace(filters, speaker_ids=match.ids)
        if match.how == "slug":
            form.show_speaker(match.speaker)
    export_name = page.export_name or exports.export_filename(
        filters=filters, speaker_slug=match.speaker.slug if match and match.speaker else ""
    )
    if fmt:
        quotes = selectors.quote_list(filters=filters)
    if fmt in EXPORTS:
        # Links in a downloaded file are absolute: scheme and host before each path.
        site = request.build_absolute_uri("/").removesuffix("/")
        return EXPORTS[fmt](quotes, filename=export_name, site=site)

    params = {k: v for k, v in filters.params().items() if k not in page.fixed}
    links = Links(request.path, params | page.extra_params)
    speaker = match.speaker if match else None
    active = _describe(
        filters,
        fixed=page.fixed,
        links=links,
        speaker_name=speaker.name if speaker else "",
        countries=country_names,
        topics=topic_names,
    )
    title = _title(page.base_title, active, list_page=list_page)
    if fmt == "atom":
        feed = FeedPage(
            title=title,
            link=links.url(),
            feed_url=links.url(format="atom"),
            statements=quotes[:FEED_SIZE],
        )
        return feed_response(request, page=feed)
    summary = selectors.quote_summary(
        filters=filters, names=tuple(name for name in FACETS if name not in page.fixed)
    )
    size = settings.NEWSROOM_PAGE_SIZE
    number = _page_number(request.GET.get("page"), total=summary.total, size=size)
    scan_newest = selectors.scan_newest_pays(
        matching=summary.total, everything=summary.everything, rows_needed=number * size
    )
    paginator = Paginator(selectors.quote_list(filters=filters, scan_newest=scan_newest), size)
    paginator.count = summary.total  # counted already: no COUNT(*) over the statements
    results = paginator.get_page(number)
    facets = summary.facets
    context |= {
        "title": title,
        "feed_url": links.url(format="atom"),
        "page": results,
        "filters": filters,
        "active_filters": active,
        "facets": _facet_boxes(facets, filters, links),
        "page_links": {
            "first": links.url(),
            "previous": links.url(page=results.previous_page_number())
            if results.has_previous()
            else "",
            "next": links.url(page=results.next_page_number()) if results.has_next() else "",
            "last": links.url(page=results.paginator.num_pages),
        },
        "speaker_match": _speaker_match_note(match),
        # The speaker whose slug the URL carries: the script shows their name in the box.
        "picked_speaker": match.speaker if match and match.how == "slug" else None,
        "export_name": export_name,
        "export_csv": links.url(format="csv"),
        "export_json": links.url(format="json"),
    }
    if page.full_page_context and not _is_fragment(request):
        context |= page.full_page_context()
    push_url = links.url(page=results.number if results.number > 1 else None)
    return _render(request, template, context, push_url=push_url)


def _page_number(value: str | None, *, total: int, size: int) -> int:
    """The page Paginator.get_page shows for `value`: 1 for no number, the last one for a
    number out of range."""
    last = max(1, -(-total // size))
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= last else last


@require_safe
@vary_on_headers(*HTMX_VARY)
@conditional_on_data
@drop_empty_params
def quote_list(request: HttpRequest) -> HttpResponse:
    page = BrowsePage(base_title="Statements")
    return _browse(request, template="statements/quote_list.html", page=page, list_page=True)


@require_safe
@vary_on_headers(*HTMX_VARY)
@conditional_on_data
@drop_empty_params
def speaker_list(request: HttpRequest) -> HttpResponse:
    form = SpeakerSearchForm(request.GET)
    fmt = request.GET.get("format", "")
    if fmt and fmt != "json":
        return JsonResponse({"errors": {"format": ["Use format=json."]}}, status=400)
    if not form.is_valid():
        if fmt:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        context = {"form": form, "q": "", "speakers": [], "title": "Speakers: check the search"}
        return _render(request, "statements/speaker_list.html", context, status=400)
    q = form.cleaned_data["q"].strip()
    if fmt == "json":
        limit = _bounded_int(request.GET.get("limit"), default=20, high=SPEAKER_JSON_LIMIT)
        speakers = selectors.speaker_search(q=q, limit=limit)
        return JsonResponse(
            {
                "results": [
                    {
                        "name": s.name,
                        "slug": s.slug,
                        "country": s.country_id,
                        "statements": s.statement_count,
                    }
                    for s in speakers
                ]
            }
        )
    speakers = selectors.speaker_search(q=q, limit=SPEAKER_JSON_LIMIT)
    context = {
        "form": form,
        "q": q,
        "speakers": speakers,
        "title": f"Speakers matching “{q}”" if q else "Speakers",
        "export_json": Links(request.path, {"q": q} if q else {}).url(format="json"),
    }
    push_url = Links(request.path, {"q": q} if q else {}).url()
    return _render(request, "statements/speaker_list.html", context, push_url=push_url)


def _bounded_int(value: str | None, *, default: int, high: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return max(1, min(number, high))


@require_safe
@vary_on_headers(*HTMX_VARY)
@conditional_on_data
@drop_empty_params
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = selectors.speaker_detail(slug=slug)
    if speaker is None:
        raise Http404("No speaker with that name.")

    def profile() -> dict:
        overview = selectors.speaker_overview(speaker=speaker)
        return {
            "speaker": speaker,
            "statement_count": overview.statement_count,
            "chart": months_chart(overview.months),
            "top_countries": overview.top_countries,
            "top_topics": overview.top_topics,
        }

    page = BrowsePage(
        base_title=speaker.name,
        fixed={"speaker": speaker.slug},
        full_page_context=profile,
        speaker_ids=(speaker.pk,),
    )
    return _browse(request, template="statements/speaker_detail.html", page=page)


@require_safe
@vary_on_headers(*HTMX_VARY)
@conditional_on_data
@drop_empty_params
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not re.fullmatch(r"[A-Za-z]{2}", code):
        raise Http404("Country codes are two letters (ISO 3166-1 alpha-2).")
    country = get_object_or_404(Country, code=code.upper())
    if code != code.lower():  # one URL per country: the one get_absolute_url gives
        query = request.META.get("QUERY_STRING", "")
        url = country.get_absolute_url()
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
    counts = selectors.country_statement_counts(code=country.code)
    # The page opens on the section that has statements (by its speakers, else about it);
    # a section asked for by name stays.
    default = "about" if counts["about"] and not counts["by"] else "by"
    section = request.GET.get("section")
    section = section if section in ("by", "about") else default
    about = section == "about"
    fixed_name = "country" if about else "speaker_country"

    def section_url(tabs: Links, name: str, **changes) -> str:
        return tabs.url(section=None if name == default else name, **changes)

    def overview() -> dict:
        tab_params = {k: v for k, v in request.GET.items() if v and k not in ("page", "format")}
        tabs = Links(request.path, tab_params)
        return {
            "country": country,
            "about": about,
            "section_counts": counts,
            "by_url": section_url(tabs, "by", speaker_country=None),
            "about_url": section_url(tabs, "about", country=None),
            "relations": selectors_relations.country_relations(code=country.code),
        }

    page = BrowsePage(
        base_title=f"About {country.name}" if about else f"Said by speakers from {country.name}",
        fixed={fixed_name: country.code},
        extra_params={} if section == default else {"section": section},
        full_page_context=overview,
    )
    return _browse(request, template="statements/country_detail.html", page=page)


@require_safe
@vary_on_headers(*HTMX_VARY)
@conditional_on_data
@drop_empty_params
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    page = BrowsePage(
        base_title=f"Topic: {topic.name}",
        fixed={"topic": topic.slug},
        full_page_context=lambda: {"topic": topic},
    )
    return _browse(request, template="statements/topic_detail.html", page=page)


@require_safe
@conditional_on_data
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_detail(pk=pk) if pk <= MAX_ID else None
    if article is None:
        raise Http404("No article with that number.")
    # A long article can have thousands of statements: the page lists and marks one part
    # of them at a time, so it stays small and fast.
    requested = request.GET.get("part", "1")
    part = int(requested) - 1 if requested.isdigit() and len(requested) < 6 else 0
    listed = selectors.article_statements(article=article, part=part)
    statements = listed.statements
    marks = []
    for quote in statements:
        who = quote.speaker.name if quote.speaker else (quote.mention_text or "Unknown speaker")
        marks.append(
            Mark(
                start=quote.start,
                end=quote.end,
                css_class=f"stmt stmt-{quote.kind}",
                label=f"{who}: {quote.cue_text}" if quote.cue_text else who,
                anchor=f"q{quote.pk}",
            )
        )
        for start, end in interruptions(
            text=quote.text, start=quote.start, fragments=quote.fragments or ()
        ):
            marks.append(Mark(start=start, end=end, css_class="narration"))
        if quote.cue_start is not None and quote.cue_end is not None:
            marks.append(Mark(start=quote.cue_start, end=quote.cue_end, css_class="cue-word"))
        if quote.mention_start is not None and quote.mention_end is not None:
            marks.append(
                Mark(start=quote.mention_start, end=quote.mention_end, css_class="mention-word")
            )
    context = {
        "article": article,
        "statements": statements,
        "listed": listed,
        "part_links": _part_links(request, listed),
        "body": highlight(article.body, marks, hide_heading=article.title),
        "title": article.title,
    }
    return render(request, "statements/article_detail.html", context)


def _part_links(request: HttpRequest, listed: selectors.ArticleStatements) -> dict[str, str]:
    links = Links(request.path, {})
    number = listed.part + 1
    return {
        "previous": links.url(part=number - 1 if number > 2 else None) if number > 1 else "",
        "next": links.url(part=number + 1) if number < listed.parts else "",
    }


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "statements/about.html", {"title": "About"})


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without a <link rel="icon"> (healthz, the
    admin): send them to the icon base.html links to. Not permanent: its hashed name
    changes with the file in production."""
    return HttpResponseRedirect(static("favicon.svg"))


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, no article waits too long and a worker reported
    lately; else 503, with the JSON body saying which is wrong (statements/health.py)."""
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)
