"""Full-text search on statement text, backed by each database's own index.

- PostgreSQL: the stored generated column ``statements_quote.search_vector``
  (``to_tsvector('english', text)``) with a GIN index, queried with ``websearch_to_tsquery``.
- SQLite: the FTS5 table ``statements_quote_fts`` (porter stemming, accents folded), kept in
  sync with ``statements_quote`` by triggers.

Both are created by migration 0003, guarded by vendor, and are not model fields: the ORM
never reads or writes them, so the model stays the same on every database. Any other
database falls back to a case-insensitive substring match.

Use it from selectors: ``quote_text_search(Quote.objects.visible(), request.GET["q"])``.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import Expression, Q, QuerySet
from django.db.models.expressions import RawSQL

SEARCH_CONFIG = "english"
SEARCH_COLUMN = "search_vector"
FTS_TABLE = "statements_quote_fts"

# The SQL both the migration and the post-migrate repair use; kept here so they cannot drift.
PG_CREATE = [
    f"ALTER TABLE statements_quote ADD COLUMN IF NOT EXISTS {SEARCH_COLUMN} tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('{SEARCH_CONFIG}'::regconfig, coalesce(text, ''))) STORED",
    f"CREATE INDEX IF NOT EXISTS statements_quote_search_gin ON statements_quote "
    f"USING gin ({SEARCH_COLUMN})",
]
PG_DROP = [
    "DROP INDEX IF EXISTS statements_quote_search_gin",
    f"ALTER TABLE statements_quote DROP COLUMN IF EXISTS {SEARCH_COLUMN}",
]
SQLITE_CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "text, content='statements_quote', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON statements_quote BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON statements_quote BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF text ON statements_quote BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}" for suffix in ("ai", "ad", "au")),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


class QuoteSearchVector(Expression):
    """The stored ``search_vector`` column of the query's own ``statements_quote`` alias
    (resolved late, so it stays right when Django relabels the table in a subquery)."""

    def __init__(self, alias: str | None = None):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.alias = alias

    def resolve_expression(self, query=None, *args, **kwargs):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        column = connection.ops.quote_name(SEARCH_COLUMN)
        return f"{compiler.quote_name(self.alias)}.{column}", []


_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD = re.compile(r"\w+")


def fts5_query(q: str) -> str:
    """Translate a web-search style query (words, "quoted phrases", -excluded, or) into an
    FTS5 expression in which every user word is a quoted string: no FTS5 syntax gets
    through from the user. Returns "" when nothing searchable is left."""
    groups: list[list[str]] = [[]]
    excluded: list[str] = []
    for match in _TERM.finditer(q):
        negated = bool(match.group(1) or match.group(3))
        raw = match.group(2) if match.group(2) is not None else match.group(4)
        if raw.lower() == "or" and match.group(2) is None and not negated:
            groups.append([])
            continue
        words = _WORD.findall(raw)
        if not words:
            continue
        phrase = '"' + " ".join(words) + '"'
        (excluded if negated else groups[-1]).append(phrase)
    alternatives = [" AND ".join(g) for g in groups if g]
    if not alternatives:
        return ""
    expr = " OR ".join(f"({a})" for a in alternatives)
    if excluded:
        expr = f"({expr}) NOT ({' OR '.join(excluded)})"
    return expr


def quote_text_search(
    queryset: QuerySet,
    q: str,
    *,
    speaker_names: bool = False,
    id_field: str = "pk",
    speaker_field: str = "speaker_id",
) -> QuerySet:
    """Statements of `queryset` whose text matches the web-search style query `q`
    (stemmed words, "phrases", -excluded words, or). A blank query changes nothing.

    With `speaker_names`, statements by a speaker whose name contains `q` (case and
    accents folded: "erdogan" finds Erdoğan) match too; those speakers are looked up
    first (one small query) so that both halves of the OR still use an index.
    """
    q = (q or "").strip()
    if not q:
        return queryset
    # `id_field`/`speaker_field`: what to test, when a caller tests aliases of the columns.
    condition = _text_condition(queryset, q, id_field)
    if speaker_names:
        speaker_ids = speakers_named(q)
        if speaker_ids:
            nothing = Q(pk__in=[])
            condition = (condition or nothing) | Q(**{f"{speaker_field}__in": speaker_ids})
    return queryset.filter(condition) if condition is not None else queryset.none()


def _text_condition(queryset: QuerySet, q: str, id_field: str = "pk") -> Q | None:
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVectorExact

        return Q(
            SearchVectorExact(
                QuoteSearchVector(),
                SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG),
            )
        )
    if vendor == "sqlite":
        expr = fts5_query(q)
        if not expr:
            return None
        matching = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expr])
        return Q(**{f"{id_field}__in": matching})
    return Q(text__icontains=q)


# Shorter than this, a query would name half the speakers.
MIN_SPEAKER_QUERY = 3
MAX_SPEAKERS_MATCHED = 200


def speakers_named(q: str) -> list[int]:
    from statements.models import Speaker
    from statements.nlp.names import fold

    folded = " ".join(fold(q).split())
    if len(folded) < MIN_SPEAKER_QUERY:
        return []
    return list(
        Speaker.objects.filter(search_name__contains=folded)
        .order_by()
        .values_list("pk", flat=True)[:MAX_SPEAKERS_MATCHED]
    )


def ensure_search_index(connection) -> None:
    """Recreate what migrations cannot see: on SQLite, Django rebuilds a table to alter it
    and the triggers on the old table go with it; put them back and resync the FTS table."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "statements_quote" not in tables or FTS_TABLE not in tables:
            return  # not migrated that far (or migrated back); the migration creates it
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'statements_quote' AND name LIKE %s",
            [f"{FTS_TABLE}_%"],
        )
        if cursor.fetchone()[0] == len(SQLITE_TRIGGERS):
            return
        for sql in SQLITE_TRIGGERS:
            cursor.execute(sql)
        cursor.execute(SQLITE_REBUILD)
