"""Relations pages: the matrix of who (speaker's country) talks about whom (countries
mentioned), and the statements of one pair."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from statements import selectors, selectors_relations
from statements.charts import months_chart
from statements.forms_relations import RelationsForm
from statements.models import Country
from statements.views import (
    HTMX_VARY,
    BrowsePage,
    Links,
    _browse,
    _describe,
    _render,
    drop_empty_params,
)

TOP_PAIRS = 20
CODE = re.compile(r"[A-Za-z]{2}")


@dataclass(frozen=True, slots=True)
class PairView:
    source_name: str
    target_name: str
    count: int
    url: str  # the pair page
    list_url: str


def _statements(n: int) -> str:
    return f"{n} statement{'s' if n != 1 else ''}"


def pair_url(source: str, target: str, query: str = "") -> str:
    url = reverse("statements:relation_pair", args=[source.lower(), target.lower()])
    return f"{url}?{query}" if query else url


@require_safe
@vary_on_headers(*HTMX_VARY)
@drop_empty_params
def relations(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "")
    if fmt and fmt not in ("csv", "json"):
        return JsonResponse({"errors": {"format": ["Use format=csv or format=json."]}}, status=400)
    countries = selectors.country_choices()
    topics = selectors.topic_choices()
    form = RelationsForm(request.GET, countries=countries, topics=topics)
    template = "statements/relations.html"
    context = {
        "form": form,
        "extra_params": {},
        "clear_url": request.path,
        "more_filters_active": 0,
        "title": "Who talks about whom",
    }
    if not form.is_valid():
        if fmt:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        context |= {
            "title": "Who talks about whom: check the filters",
            "filter_errors": [
                (form.fields[name].label if name in form.fields else "", error)
                for name, errors in form.errors.items()
                for error in errors
            ],
        }
        return _render(request, template, context, status=400)

    filters = form.filters()
    names = {c.code: c.name for c in countries}
    if fmt:
        counts = selectors_relations.relation_counts(filters=filters)
        if fmt == "csv":
            return _csv(counts, names)
        return JsonResponse(
            {
                "results": [
                    {"from": p.source.lower(), "to": p.target.lower(), "statements": p.count}
                    for p in counts.pairs
                ],
                "without_country": counts.without_country,
            }
        )

    data = form.cleaned_data
    overview = selectors_relations.relation_overview(
        filters=filters, rows=data["rows"], columns=data["cols"], size=data["size"], top=TOP_PAIRS
    )
    matrix = overview.matrix
    filter_params = filters.params()
    links = Links(request.path, filter_params | form.matrix_params())
    list_url = reverse("statements:quote_list")
    filter_query = urlencode(filter_params)

    list_query = f"{list_url}?{filter_query}&" if filter_query else f"{list_url}?"

    def cell_url(source: str, target: str) -> str:
        # Country codes are two letters: nothing to quote.
        return f"{list_query}speaker_country={source}&country={target}"

    rows = [
        {
            "code": row.source,
            "name": names.get(row.source, row.source),
            "url": reverse("statements:country_detail", args=[row.source.lower()]),
            "total": row.total,
            "cells": _cells_html(row, names, cell_url),
        }
        for row in matrix.rows
    ]
    top_pairs = [
        PairView(
            source_name=names.get(p.source, p.source),
            target_name=names.get(p.target, p.target),
            count=p.count,
            url=pair_url(p.source, p.target, filter_query),
            list_url=cell_url(p.source, p.target),
        )
        for p in overview.top_pairs
    ]
    active = _describe(
        filters,
        fixed={},
        links=links,
        speaker_name="",
        countries=names,
        topics={t.slug: t.name for t in topics},
    )
    context |= {
        "title": "Who talks about whom"
        + (", " if active else "")
        + ", ".join(a.phrase for a in active),
        "matrix": matrix,
        "rows": rows,
        "columns": [{"code": c, "name": names.get(c, c)} for c in matrix.columns],
        "column_totals": matrix.column_totals,
        "top_pairs": top_pairs,
        "pair_count": overview.pair_count,
        "statement_total": overview.mention_total,
        "without_country": overview.without_country,
        "active_filters": active,
        "more_filters_active": sum(
            1
            for name in ("topic", "kind", "date_from", "date_to", "rows", "cols", "size")
            if request.GET.get(name)
        ),
        "export_csv": links.url(format="csv"),
        "export_json": links.url(format="json"),
    }
    return _render(request, template, context, push_url=links.url())


def _cells_html(row: selectors_relations.MatrixRow, names: dict[str, str], cell_url) -> str:
    """A row's cells as HTML. Joined here rather than in the template: the template language
    costs ~0.1 ms a cell, and the largest matrix has 1,600."""
    cells = []
    for cell in row.cells:
        if cell.source == cell.target:
            cells.append(
                '<td class="own" title="Own country: left out">'
                '<span class="visually-hidden">left out</span></td>'
            )
        elif cell.count:
            label = escape(
                f"{names.get(cell.source, cell.source)} about "
                f"{names.get(cell.target, cell.target)}: {_statements(cell.count)}"
            )
            url = escape(cell_url(cell.source, cell.target))
            cells.append(
                f'<td class="shade-{cell.shade}"><a href="{url}" aria-label="{label}"'
                f' title="{label}">{cell.count}</a></td>'
            )
        else:
            cells.append('<td class="shade-0"><span class="visually-hidden">0</span></td>')
    return mark_safe("".join(cells))  # noqa: S308 - every value escaped above


def _csv(counts: selectors_relations.RelationCounts, names: dict[str, str]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["from", "from_name", "to", "to_name", "statements"])
    for p in counts.pairs:
        writer.writerow(
            [
                p.source.lower(),
                names.get(p.source, ""),
                p.target.lower(),
                names.get(p.target, ""),
                p.count,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="relations.csv"'
    return response


def _country(code: str) -> Country:
    if not CODE.fullmatch(code):
        raise Http404("Country codes are two letters (ISO 3166-1 alpha-2).")
    return get_object_or_404(Country, code=code.upper())


@require_safe
@vary_on_headers(*HTMX_VARY)
@drop_empty_params
def relation_pair(request: HttpRequest, source: str, target: str) -> HttpResponse:
    speakers_of, mentioned = _country(source), _country(target)
    if source != source.lower() or target != target.lower():  # one URL per pair
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(pair_url(source, target, query))

    def profile() -> dict:
        forward, backward = selectors_relations.pair_statement_counts(
            source=speakers_of.code, target=mentioned.code
        )
        about = selectors_relations.pair_profile(source=speakers_of.code, target=mentioned.code)
        return {
            "source": speakers_of,
            "target": mentioned,
            "pair_count": forward,
            "reverse_count": backward,
            "reverse_url": pair_url(mentioned.code, speakers_of.code),
            "chart": months_chart(about.months),
            "pair_speakers": about.speakers,
        }

    page = BrowsePage(
        base_title=f"{speakers_of.name} on {mentioned.name}",
        export_name=f"statements-{speakers_of.code.lower()}-{mentioned.code.lower()}",
        fixed={"speaker_country": speakers_of.code, "country": mentioned.code},
        full_page_context=profile,
    )
    return _browse(request, template="statements/relation_pair.html", page=page)
