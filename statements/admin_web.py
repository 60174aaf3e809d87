"""Admin for what comes in from the web: feeds, and articles imported by URL."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from statements.forms_web import UrlImportForm
from statements.models import Feed, UrlImport
from statements.services.web_import import STALE_FETCH, url_imports_request


def _queue_feed_poll() -> None:
    """A feed added or reactivated is polled by the next free worker, not a minute later."""
    from statements.tasks import feeds_poll_task

    transaction.on_commit(feeds_poll_task.enqueue)


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["display_name", "active", "every", "last_polled_at", "articles_found", "health"]
    # No filter sidebar: the error column needs the width, and feeds are few.
    search_fields = ["name", "url"]
    actions = ["poll_now", "reset_backoff"]
    fieldsets = [
        (None, {"fields": ["url", "name", "active", "poll_every"]}),
        (
            "Polling",
            {
                "fields": [
                    "last_polled_at",
                    "next_poll_at",
                    "last_error",
                    "failures",
                    "articles_found",
                    "etag",
                    "last_modified",
                ]
            },
        ),
    ]
    readonly_fields = [
        "last_polled_at",
        "next_poll_at",
        "last_error",
        "failures",
        "articles_found",
        "etag",
        "last_modified",
    ]

    @admin.display(description="feed", ordering="name")
    def display_name(self, obj):
        if obj.name:
            return format_html("{}<br><small>{}</small>", obj.name, obj.url)
        return obj.url

    @admin.display(description="every", ordering="poll_every")
    def every(self, obj):
        return f"{obj.poll_every} min"

    @admin.display(description="last error")
    def health(self, obj):
        if not obj.last_error:
            return "OK" if obj.last_polled_at else "not polled yet"
        failures = f"{obj.failures} failure{'s' if obj.failures != 1 else ''} in a row"
        if obj.next_poll_at:
            failures += f"; next try {timezone.localtime(obj.next_poll_at):%d %b %H:%M}"
        return format_html(
            '<span class="feed-error">{}</span><br><small>{}</small>',
            Truncator(obj.last_error).chars(120),
            failures,
        )

    def save_model(self, request, obj, form, change):
        if not change or {"active", "url", "poll_every"} & set(form.changed_data):
            obj.next_poll_at = None  # due now
        super().save_model(request, obj, form, change)
        if obj.active:
            _queue_feed_poll()

    @admin.action(description="Poll now", permissions=["change"])
    def poll_now(self, request, queryset):
        count = queryset.filter(active=True).update(next_poll_at=None)
        _queue_feed_poll()
        self.message_user(
            request,
            f"{count} feed{'s' if count != 1 else ''} queued for polling.",
            messages.SUCCESS,
        )

    @admin.action(description="Clear the error and back-off", permissions=["change"])
    def reset_backoff(self, request, queryset):
        count = queryset.update(failures=0, last_error="", next_poll_at=None)
        _queue_feed_poll()
        self.message_user(request, f"{count} feed{'s' if count != 1 else ''} reset.")


@admin.register(UrlImport)
class UrlImportAdmin(admin.ModelAdmin):
    list_display = ["short_url", "status", "article_link", "origin", "created_at"]
    list_filter = ["status"]
    search_fields = ["url", "error"]
    list_select_related = ["article", "feed", "requested_by"]
    readonly_fields = [
        "url",
        "status",
        "error",
        "article",
        "feed",
        "entry_id",
        "requested_by",
        "created_at",
        "updated_at",
    ]
    actions = ["retry"]

    @admin.display(description="URL", ordering="url")
    def short_url(self, obj):
        return Truncator(obj.url).chars(70)

    @admin.display(description="from")
    def origin(self, obj):
        if obj.feed_id:
            return format_html("feed “{}”", obj.feed)
        return f"pasted by {obj.requested_by.get_username()}" if obj.requested_by else "—"

    @admin.display(description="article")
    def article_link(self, obj):
        if obj.article_id is None:
            return obj.error or "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:statements_article_change", args=[obj.article_id]),
            Truncator(obj.article.title).chars(60),
        )

    def has_change_permission(self, request, obj=None):
        return False  # the record of what happened; retry with the action

    def add_view(self, request, form_url="", extra_context=None):
        """Paste one or many addresses; each becomes an import the worker runs."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = UrlImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            imports = url_imports_request(urls=form.cleaned_data["urls"], user=request.user)
            queued = sum(i.status == UrlImport.Status.QUEUED for i in imports)
            for item in imports:
                if item.status == UrlImport.Status.DUPLICATE:
                    self.message_user(
                        request,
                        format_html(
                            '{}: already stored as <a href="{}">article {}</a>; not stored again.',
                            item.url,
                            reverse("admin:statements_article_change", args=[item.article_id]),
                            item.article_id,
                        ),
                        messages.WARNING,
                    )
            self.message_user(
                request, f"{queued} address{'es' if queued != 1 else ''} queued for import."
            )
            return HttpResponseRedirect(reverse("admin:statements_urlimport_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Import articles by URL",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/statements/urlimport/import_urls.html", context)

    @admin.action(description="Fetch again (failed or stuck imports)", permissions=["add"])
    def retry(self, request, queryset):
        from statements.tasks import import_url_task

        stuck = Q(status=UrlImport.Status.FETCHING, updated_at__lt=timezone.now() - STALE_FETCH)
        failed = list(
            queryset.filter(Q(status=UrlImport.Status.FAILED) | stuck).values_list("pk", flat=True)
        )
        for pk in failed:
            import_url_task.enqueue(pk)
        self.message_user(
            request, f"{len(failed)} import{'s' if len(failed) != 1 else ''} queued again."
        )
