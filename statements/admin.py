from django.contrib import admin

from statements.models import Article, Country, Organisation, Quote, Speaker, SpeakerAlias, Topic


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym"]
    search_fields = ["name", "acronym"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    extra = 0


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "role", "country", "organisation"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "search_name", "aliases__search_name", "role"]
    autocomplete_fields = ["country", "organisation"]
    inlines = [SpeakerAliasInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source_name", "published", "status", "created_at"]
    list_filter = ["status", "source_name", "published"]
    search_fields = ["title", "body"]
    readonly_fields = ["content_hash", "pipeline_version", "annotated_at", "uploaded_by"]
    date_hierarchy = "created_at"


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speaker", "kind", "article", "verified", "is_deleted"]
    list_filter = ["kind", "verified", "is_deleted", "topics", "countries"]
    search_fields = ["text", "speaker__name", "speaker__search_name"]
    autocomplete_fields = ["speaker", "countries", "topics", "article"]
    list_select_related = ["speaker", "article"]
