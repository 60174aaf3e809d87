"""Staff curation pages: uploading articles, and the live annotation status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from statements.forms_curation import ArticleUploadForm
from statements.models import Article, UrlImport
from statements.services.ingest import article_upload
from statements.services.web_import import url_imports_recent, url_imports_request

RECENT_UPLOADS = 20
IN_PROGRESS = (Article.Status.PENDING, Article.Status.ANNOTATING)
IMPORTS_IN_PROGRESS = (UrlImport.Status.QUEUED, UrlImport.Status.FETCHING)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Staff upload files, paste text or give web addresses; each new article is queued for
    annotation, each address for a fetch by the worker."""
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can upload articles.")
    status = 200
    if request.method == "POST":
        form = ArticleUploadForm(request.POST, request.FILES)
        if form.is_valid():
            _store_uploads(request, form)
            return redirect("statements:upload")
        status = 400
    else:
        form = ArticleUploadForm()

    recent = (
        Article.objects.filter(uploaded_by__isnull=False)
        .select_related("uploaded_by")
        .annotate(statement_count=Count("quotes", filter=Q(quotes__is_deleted=False)))
        .order_by("-created_at", "-pk")[:RECENT_UPLOADS]
    )
    imports = list(url_imports_recent(user=request.user, limit=RECENT_UPLOADS))
    context = {
        "form": form,
        "recent": recent,
        "imports": imports,
        "polling": any(a.status in IN_PROGRESS for a in recent)
        or any(i.status in IMPORTS_IN_PROGRESS for i in imports),
    }
    template = "statements/upload.html"
    if request.htmx and request.method == "GET" and not request.htmx.history_restore_request:
        template += "#recent"  # the poll of the recent uploads
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _queue_url_imports(request: HttpRequest, urls: list[str]) -> None:
    imports = url_imports_request(urls=urls, user=request.user)
    queued = [i for i in imports if i.status == UrlImport.Status.QUEUED]
    if queued:
        messages.success(
            request,
            f"{len(queued)} web address{'es' if len(queued) != 1 else ''} queued: "
            "each page is fetched and stored in the background (see Web imports below).",
        )
    for item in imports:
        if item.status == UrlImport.Status.DUPLICATE:
            messages.warning(
                request,
                format_html(
                    '{}: already stored as <a href="{}">article {} “{}”</a>; not stored again.',
                    item.url,
                    item.article.get_absolute_url(),
                    item.article.pk,
                    item.article.title,
                ),
            )


def _store_uploads(request: HttpRequest, form: ArticleUploadForm) -> None:
    if form.cleaned_data.get("urls"):
        _queue_url_imports(request, form.cleaned_data["urls"])
    details = {
        "source_name": form.cleaned_data["source_name"],
        "url": form.cleaned_data["url"],
        "published": form.cleaned_data["published"],
    }
    for item in form.accepted:
        result = article_upload(text=item.text, user=request.user, **details)
        article = result.article
        if result.created:
            messages.success(
                request,
                format_html(
                    "{}: stored as article {} “{}”; annotation queued.",
                    item.name,
                    article.pk,
                    article.title,
                ),
            )
        else:
            messages.warning(
                request,
                format_html(
                    '{}: already stored as <a href="{}">article {} “{}”</a> ({}); '
                    "not stored again.",
                    item.name,
                    article.get_absolute_url(),
                    article.pk,
                    article.title,
                    article.get_status_display().lower(),
                ),
            )
    for rejection in form.rejected:
        messages.error(request, f"{rejection.name}: not stored, {rejection.reason}.")


@require_GET
def article_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The annotation status of an article as an HTMX fragment that polls itself while the
    article is pending or annotating. With `?refresh=1` (the article page) a poll that finds
    the work done asks HTMX to reload the page, so the new statements appear."""
    article = get_object_or_404(Article.objects.only("pk", "status", "error"), pk=pk)
    refresh = request.GET.get("refresh") == "1"
    response = render(
        request,
        "statements/_article_status.html",
        {"article": article, "refresh_when_done": refresh},
    )
    if refresh and request.htmx and article.status not in IN_PROGRESS:
        response["HX-Refresh"] = "true"
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["HX-Request"])
    return response
