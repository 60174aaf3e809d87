"""The admin is where staff curate: upload articles, correct statements, merge speakers.

Corrections go through `services` so that they are validated against the article body and
mark the statement verified, and so that re-annotation never undoes them. Every action is
recorded in the admin log, shown under "Audit log".
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from statements.article_head import stored_hash
from statements.forms_curation import ACCEPT, read_pasted, read_upload
from statements.models import Article, Country, Organisation, Quote, Speaker, SpeakerAlias, Topic
from statements.nlp.names import fold
from statements.services.annotation_queue import articles_reannotate
from statements.services.curation import (
    QUOTE_CORRECTABLE_FIELDS,
    quote_errors,
    quote_update,
    quotes_delete,
    span_find,
    speakers_merge,
)
from statements.services.ingest import article_upload
from statements.textio import BadArticle
from statements.uploads import display_name

# The admin speaks as the site does: "Newsroom", statements, curation.
admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Curation"
# The model sidebar took a fifth of the width from every change list (columns of one word
# a line); the breadcrumbs and the index lead to the same pages.
admin.site.enable_nav_sidebar = False


def shortened(text: str, length: int) -> str:
    """`text` cut to `length` characters, whole in a tooltip: one line in a change list."""
    return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(length))


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym"]
    search_fields = ["name", "acronym"]


class TermsField(forms.CharField):
    """A list of terms edited one per line."""

    widget = forms.Textarea(attrs={"rows": 8, "cols": 60})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        lines = (line.strip() for line in (value or "").splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class TopicForm(forms.ModelForm):
    keywords = TermsField(
        label="Strong terms",
        required=False,
        help_text="One per line (a word or phrase): one of them in a statement tags it.",
    )
    weak_keywords = TermsField(
        label="Weak terms",
        required=False,
        help_text="One per line: tag a statement only with a second weak term of this topic, "
        "or this topic's strong terms in the same passage.",
    )

    class Meta:
        model = Topic
        fields = ["name", "slug", "keywords", "weak_keywords"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicForm
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


# --- Speakers -------------------------------------------------------------------------


class SpeakerAliasFormSet(BaseInlineFormSet):
    """Aliases are unique per speaker once folded ("Erdoğan" = "erdogan")."""

    def clean(self):
        super().clean()
        seen = {fold(self.instance.name)} if self.instance.name else set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            name = form.cleaned_data.get("name", "")
            key = fold(name)
            if not key:
                form.add_error("name", "An alias needs letters or digits.")
            elif key in seen:
                form.add_error("name", f"“{name}” is already a name or alias of this speaker.")
            seen.add(key)


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    formset = SpeakerAliasFormSet
    fields = ["name"]
    extra = 1


class MergeSpeakersForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Speaker.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Speaker to keep",
    )

    def __init__(self, *args, speakers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = speakers


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "role", "country", "organisation", "alias_list", "statements"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "search_name", "aliases__name", "aliases__search_name", "role"]
    autocomplete_fields = ["country", "organisation"]
    readonly_fields = ["search_name", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SpeakerAliasInline]
    actions = ["merge_speakers"]
    show_facets = admin.ShowFacets.ALWAYS

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_statement_counts()
            .select_related("country", "organisation")
            .prefetch_related("aliases")
        )

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(a.name for a in obj.aliases.all()) or "—"

    @admin.display(description="statements", ordering="statement_count")
    def statements(self, obj):
        url = reverse("admin:statements_quote_changelist") + f"?speaker__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.statement_count)

    def save_model(self, request, obj, form, change):
        obj.search_name = fold(obj.name)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        aliases = formset.save(commit=False)
        for alias in formset.deleted_objects:
            alias.delete()
        for alias in aliases:
            alias.search_name = fold(alias.name)
            alias.save()

    @admin.action(description="Merge selected speakers into one", permissions=["change"])
    def merge_speakers(self, request, queryset):
        speakers = queryset.order_by("name")
        if speakers.count() < 2:
            self.message_user(request, "Select two or more speakers to merge.", messages.WARNING)
            return None
        form = MergeSpeakersForm(
            request.POST if "apply" in request.POST else None, speakers=speakers
        )
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            merged = [s for s in speakers if s.pk != keep.pk]
            with transaction.atomic():  # all of the selection, or none of it
                for speaker in merged:
                    keep = speakers_merge(keep=keep, merge=speaker, user=request.user)
            self.message_user(
                request,
                f"Merged {', '.join(s.name for s in merged)} into {keep.name}.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge speakers",
            "opts": self.model._meta,
            "form": form,
            "speakers": speakers,  # with counts and aliases, from get_queryset
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/statements/speaker/merge_speakers.html", context)


# --- Articles -------------------------------------------------------------------------


class ArticleAddForm(forms.ModelForm):
    """Add an article from a file or pasted text, like the upload page."""

    file = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="A .txt, .md or .html file.",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
        help_text="Or paste the text; the first line becomes the title unless you give one.",
    )
    title = forms.CharField(required=False, max_length=500)

    class Meta:
        model = Article
        fields = ["file", "text", "title", "source_name", "url", "published"]

    def clean(self):
        cleaned = super().clean()
        upload, pasted = cleaned.get("file"), (cleaned.get("text") or "").replace("\r\n", "\n")
        title = cleaned.get("title", "")
        if bool(upload) == bool(pasted.strip()):
            raise ValidationError("Give either a file or the pasted text (one article at a time).")
        try:
            if upload:
                name = display_name(upload.name)
                text = read_upload(name=name, data=upload.read(), size=upload.size, title=title)
            else:
                text = read_pasted(text=pasted, title=title)
        except BadArticle as exc:
            raise ValidationError(f"Not stored: {exc}.") from exc
        digest = stored_hash(title=text.title, body=text.body)
        existing = Article.objects.filter(content_hash=digest).first()
        if existing:
            raise ValidationError(
                format_html(
                    'This text is already stored as <a href="{}">article {} “{}”</a>.',
                    reverse("admin:statements_article_change", args=[existing.pk]),
                    existing.pk,
                    existing.title,
                )
            )
        self.article_text = text
        return cleaned


class QuoteInline(admin.TabularInline):
    """The article's statements at a glance; each is corrected on its own page."""

    model = Quote
    # The statement's text is the row's title already.
    fields = ["position", "speaker", "kind", "start", "end", "verified", "is_deleted"]
    readonly_fields = fields
    ordering = ["start"]
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "statements"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "short_title",
        "source_name",
        "published",
        "status",
        "statements",
        "uploaded_by",
        "created_at",
    ]
    list_filter = [
        "status",
        ("duplicate_of", admin.EmptyFieldListFilter),
        "source_name",
        "published",
        ("uploaded_by", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "source_name", "url"]
    list_select_related = ["uploaded_by"]
    raw_id_fields = ["duplicate_of"]
    date_hierarchy = "created_at"
    actions = ["retry_annotation", "reannotate"]
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [QuoteInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(statement_count=Count("quotes", filter=Q(quotes__is_deleted=False)))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    # Shown but not editable on a stored article. The body is immutable: every statement's
    # offsets point into it.
    stored_readonly_fields = [
        "status",
        "error",
        "links",
        "body",
        "content_hash",
        "pipeline_version",
        "annotated_at",
        "uploaded_by",
        "created_at",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", "text", "title", "source_name", "url", "published"]
        return [
            "title",
            "byline",
            "dateline",
            "source_name",
            "url",
            "published",
            "duplicate_of",
            *self.stored_readonly_fields,
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.stored_readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_urls(self):
        reannotate = self.admin_site.admin_view(require_POST(self.reannotate_one))
        own = [path("<int:pk>/reannotate/", reannotate, name="statements_article_reannotate")]
        return own + super().get_urls()

    def reannotate_one(self, request, pk: int):
        """The Re-annotate button of an article's own page."""
        article = get_object_or_404(Article, pk=pk)
        change_url = reverse("admin:statements_article_change", args=[pk])
        if not self.has_change_permission(request, article):
            self.message_user(request, "You may not re-annotate articles.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        articles_reannotate(articles=[article], user=request.user)
        self.message_user(
            request,
            "Queued for re-annotation; statements verified or deleted by staff are kept.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    @admin.display(description="title", ordering="title")
    def short_title(self, obj):
        return shortened(obj.title, 70)

    @admin.display(description="statements", ordering="statement_count")
    def statements(self, obj):
        url = reverse("admin:statements_quote_changelist") + f"?article__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.statement_count)

    @admin.display(description="links")
    def links(self, obj):
        add = reverse("admin:statements_quote_add") + f"?article={obj.pk}"
        return format_html(
            '<a href="{}">Article page</a> · <a href="{}">Add a missed statement</a>',
            obj.get_absolute_url(),
            add,
        )

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        # A new article is stored and queued by the same service as the upload page,
        # which also records it in the audit log.
        result = article_upload(
            text=form.article_text,
            user=request.user,
            source_name=form.cleaned_data["source_name"],
            url=form.cleaned_data["url"],
            published=form.cleaned_data["published"],
            via="admin",
        )
        return result.article

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def log_addition(self, request, obj, message):
        """`article_upload` has logged the addition already."""

    @admin.action(description="Retry annotation of failed articles", permissions=["change"])
    def retry_annotation(self, request, queryset):
        queued = articles_reannotate(articles=queryset, user=request.user, failed_only=True)
        skipped = queryset.count() - queued
        self.message_user(
            request,
            f"{queued} failed article{'s' if queued != 1 else ''} queued for annotation"
            + (f"; {skipped} not failed, left alone." if skipped else "."),
            messages.SUCCESS if queued else messages.WARNING,
        )

    @admin.action(
        description="Re-annotate (keeps verified and deleted statements)", permissions=["change"]
    )
    def reannotate(self, request, queryset):
        queued = articles_reannotate(articles=queryset, user=request.user)
        self.message_user(
            request,
            f"{queued} article{'s' if queued != 1 else ''} queued for re-annotation; statements "
            "verified or deleted by staff are kept.",
            messages.SUCCESS,
        )


# --- Statements -----------------------------------------------------------------------


class DeletedFilter(admin.SimpleListFilter):
    """Statements staff deleted are hidden unless asked for."""

    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted"), ("all", "All")]

    def choices(self, changelist):
        current = self.value() or "no"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "yes":
            return queryset.filter(is_deleted=True)
        if value == "all":
            return queryset
        return queryset.filter(is_deleted=False)


class QuoteCorrectionForm(forms.ModelForm):
    find_text = forms.CharField(
        required=False,
        strip=False,
        label="Or find the text",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Paste the statement's words as they stand in the article to set the start "
        "and end for you (the occurrence nearest the start offset, if it appears more than once).",
    )

    class Meta:
        model = Quote
        fields = [
            "article",
            "speaker",
            "kind",
            "start",
            "end",
            "cue_start",
            "cue_end",
            "mention_start",
            "mention_end",
            "countries",
            "topics",
            "is_deleted",
        ]
        help_texts = {
            "start": "Character offset in the article text where the statement starts.",
            "end": "Offset just after its last character; the text is taken from the article.",
            "is_deleted": "Hidden from readers; re-annotation will not bring it back.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            if name in self.fields:
                self.fields[name].required = False  # or found from `find_text`

    def clean(self):
        cleaned = super().clean()
        article = cleaned.get("article") or getattr(self.instance, "article", None)
        if article is None or self.errors.keys() & {"start", "end", "find_text"}:
            return cleaned
        if cleaned.get("find_text", "").strip():
            try:
                cleaned["start"], cleaned["end"] = span_find(
                    body=article.body, text=cleaned["find_text"], near=cleaned.get("start")
                )
            except ValueError as exc:
                self.add_error("find_text", str(exc))
                return cleaned
        missing = [name for name in ("start", "end") if cleaned.get(name) is None]
        for name in missing:
            self.add_error(name, "Give the offset, or find the text below.")
        if missing:
            return cleaned
        probe = Quote(
            article=article,
            **{f: cleaned.get(f) for f in ("start", "end", "cue_start", "cue_end")},
            mention_start=cleaned.get("mention_start"),
            mention_end=cleaned.get("mention_end"),
        )
        for field, errors in quote_errors(quote=probe).items():
            for error in errors:
                self.add_error(field, error)
        return cleaned


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    form = QuoteCorrectionForm
    list_display = [
        "short_text",
        "speaker",
        "kind",
        "article_link",
        "verified",
        "is_deleted",
        "page_link",
    ]
    list_filter = [
        DeletedFilter,
        "verified",
        "kind",
        "article__status",
        ("countries", admin.RelatedOnlyFieldListFilter),
        ("topics", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "text",
        "speaker__name",
        "speaker__search_name",
        "speaker__aliases__search_name",
    ]
    autocomplete_fields = ["speaker", "countries", "topics", "article"]
    list_select_related = ["speaker", "article"]
    show_facets = admin.ShowFacets.ALWAYS
    actions = ["delete_selected", "mark_verified"]
    delete_confirmation_template = "admin/statements/quote/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/statements/quote/delete_selected_confirmation.html"
    )
    fieldsets = [
        (None, {"fields": ["article", "page_link", "context", "text"]}),
        (
            "Correction",
            {
                "fields": [
                    "speaker",
                    "kind",
                    ("start", "end"),
                    "find_text",
                    ("cue_start", "cue_end", "cue_text"),
                    ("mention_start", "mention_end", "mention_text"),
                    "countries",
                    "topics",
                    "is_deleted",
                ]
            },
        ),
        (
            "Review",
            {"fields": ["verified", "verified_by", "verified_at", "position", "created_at"]},
        ),
    ]

    class Media:
        css = {"all": ["css/curation-admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "page_link",
            "context",
            "text",
            "cue_text",
            "mention_text",
            "verified",
            "verified_by",
            "verified_at",
            "position",
            "created_at",
        ]
        # A statement belongs to its article for good: offsets point into that text.
        return ["article", *fields] if obj is not None else fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("kind", Quote.Kind.DIRECT)
        return initial

    @admin.display(description="statement", ordering="text")
    def short_text(self, obj):
        return shortened(obj.text, 120)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, obj):
        url = reverse("admin:statements_article_change", args=[obj.article_id])
        title = obj.article.title
        return format_html('<a href="{}" title="{}">{}</a>', url, title, Truncator(title).chars(36))

    @admin.display(description="page")
    def page_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}">View</a>', obj.get_absolute_url())

    @admin.display(description="in the article")
    def context(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        body = obj.article.body
        before = body[max(0, obj.start - 300) : obj.start]
        after = body[obj.end : obj.end + 300]
        return format_html(
            '<div class="quote-context">{}{}<mark>{}</mark>{}{}</div>',
            "…" if obj.start > 300 else "",
            before,
            body[obj.start : obj.end],
            after,
            "…" if obj.end + 300 < len(body) else "",
        )

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in QUOTE_CORRECTABLE_FIELDS
            if name in form.cleaned_data
        }
        quote_update(quote=obj, user=request.user, **fields)

    def save_related(self, request, form, formsets, change):
        # quote_update has set the countries and topics; only inlines are left (none).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        quotes_delete(quotes=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        quotes_delete(quotes=queryset, user=request.user)

    def get_deleted_objects(self, objs, request):
        # A soft delete touches nothing else: do not list country and topic links.
        objs = list(objs)
        return [str(o) for o in objs], {"statements": len(objs)}, set(), []

    @admin.action(description="Mark as verified (checked and correct)", permissions=["change"])
    def mark_verified(self, request, queryset):
        count = 0
        for quote in queryset.select_related("article"):
            quote_update(quote=quote, user=request.user)
            self.log_change(request, quote, "Marked verified.")
            count += 1
        self.message_user(request, f"{count} statement{'s' if count != 1 else ''} verified.")


# --- Audit ----------------------------------------------------------------------------


@admin.register(LogEntry)
class AuditLogAdmin(admin.ModelAdmin):
    """Who uploaded, corrected, merged and re-annotated what: the admin's own log."""

    list_display = ["action_time", "user", "action_flag", "content_type", "object_link", "message"]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
    ordering = ["-action_time"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="object", ordering="object_repr")
    def object_link(self, obj):
        url = obj.get_admin_url()
        if url and obj.action_flag != DELETION:
            return format_html('<a href="{}">{}</a>', url, obj.object_repr)
        return obj.object_repr

    @admin.display(description="change")
    def message(self, obj):
        return obj.get_change_message()


# Feeds and articles imported by URL have their own module.
from statements import admin_web  # noqa: E402, F401
