from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from statements import selectors


def quote_list(request: HttpRequest) -> HttpResponse:
    quotes = selectors.quote_list()
    page = Paginator(quotes, settings.NEWSROOM_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "statements/quote_list.html", {"page": page})


def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "database unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
