"""Statement counts kept current on write: the `statements_tally` table and its triggers.

Every visible statement carries *items*: `*` (every statement), `s` its speaker (id),
`p` its speaker's country, `k` its kind, `c` each country it mentions, `t` each topic
(id), `m` its month of publication, `r` its relations: `TR>US` for each other country a
speaker of Turkey mentions, `>` once when its speaker has no country but it mentions one;
and on PostgreSQL `w` each *tallied word* of its text (see below).
The tally holds, for each ordered pair of items that occur together, how many visible
statements carry both: row (`c`,`TR`,`s`,`42`) is "statements mentioning Turkey by
speaker 42", (`*`,``,`k`,`direct`) "direct statements",
(`s`,`42`,`*`,``) "statements by speaker 42". So every page whose list is fixed by at
most one of these (the unfiltered list, one filter, a speaker, country or topic page)
reads its total, its facets and a speaker's timeline from the rows of one scope instead
of grouping its statements. Months are only counted per speaker, per relation and overall.
Relations are counted overall, per kind and per topic (the relations matrix filtered by
one of them), and each relation is a scope of its own (a pair's page: its facets, speakers
and months).

Database triggers keep it exact in the transaction of the write, whatever wrote:
services, the admin, QuerySet.update(), bulk_create(), a cascade. PostgreSQL runs one
set-based statement per write statement (transition tables); SQLite one per row. The
same SQL text serves both: it is built here from the rows a write touched.

Tallied words: a search for one frequent word matches a large share of the statements, too
many to count at each request (200,000 of a million for "talks"). So each word found in
at least NEWSROOM_WORD_TALLY_MIN statements (the lexemes PostgreSQL's statistics of the
search vectors list as most common) becomes a scope of its own, with its facets and
relations: `refresh_words`, run by the watcher and after bulk loads, adds them (counting
their statements once); the triggers keep them from then on. Other words are rare enough
to count live. SQLite stops at 100,000 statements, where live counts keep the goals.

Row (`#`,``,`#`,``) counts writes to anything a page shows: the data version behind
conditional GET and the aggregate cache.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction

from statements.search import SEARCH_CONFIG

TABLE = "statements_tally"
WORD_TABLE = "statements_tallyword"
ALL = ("*", "")

# Item dimensions (one letter each, stored in scope_dim / value_dim).
SPEAKER, SPEAKER_COUNTRY, KIND, COUNTRY, TOPIC, MONTH = "s", "p", "k", "c", "t", "m"
RELATION = "r"
WORD = "w"  # PostgreSQL only: a tallied word, as a scope
UNPLACED = ">"  # the relation item of a statement whose speaker has no country
SCALAR_DIMS = ("*", SPEAKER, SPEAKER_COUNTRY, KIND, MONTH)

# Tables whose writes change a page without changing a count: they only bump the version.
VERSIONED_TABLES = (
    "statements_article",
    "statements_speaker",
    "statements_speakeralias",
    "statements_topic",
    "statements_country",
    "statements_organisation",
)


def _month(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


def _rows(
    vendor: str,
    source: str,
    *,
    sign: int,
    where: str = "",
    speaker_country: str = "sp.country_id",
    published: str = "a.published",
    duplicate_of: str = "a.duplicate_of_id",
) -> str:
    """Visible statements of `source` (a table or a subquery with the quote columns) as
    (id, sign, speaker_id, speaker_country, kind, month), and on PostgreSQL search_vector.
    Visible: not deleted by staff, and not from a later version of a story
    (Article.duplicate_of), as QuoteQuerySet.visible. `published` and `duplicate_of` are
    the article's (a), or the old or new values of an update."""
    search = ", x.search_vector AS search_vector" if vendor == "postgresql" else ""
    return (
        f"SELECT x.id AS id, {sign} AS sign, x.speaker_id AS speaker_id, "
        f"{speaker_country} AS speaker_country, x.kind AS kind, "
        f"{_month(vendor, published)} AS month{search} FROM {source} x "
        "LEFT JOIN statements_speaker sp ON sp.id = x.speaker_id "
        "LEFT JOIN statements_article a ON a.id = x.article_id "
        f"WHERE NOT x.is_deleted AND {duplicate_of} IS NULL{f' AND ({where})' if where else ''}"
    )


def _items(
    *,
    fresh_country: str = "0",
    fresh_topic: str = "0",
    fresh_unplaced: str = "0",
    extra: str = "",
    words: bool = False,
    dims: Iterable[str] = (*SCALAR_DIMS, COUNTRY, TOPIC, RELATION),
) -> str:
    """The items of the statements in CTE `r`, as (q, sign, dim, k, fresh). A relation item
    is fresh with the country link it comes from (`fresh_country`, over link `l`); the
    UNPLACED item when the statement's first link is (`fresh_unplaced`). With `words`
    (PostgreSQL), the tallied words of each statement's text too."""
    dims = set(dims)
    scalar_dims = " UNION ALL ".join(
        f"SELECT '{d}' AS dim" for d in SCALAR_DIMS if d in dims or d == "*"
    )
    scalar = (
        "SELECT q, sign, dim, k, 0 AS fresh FROM (SELECT r.id AS q, r.sign AS sign, d.dim AS dim, "
        "CASE d.dim WHEN '*' THEN '' WHEN 's' THEN CAST(r.speaker_id AS TEXT) "
        "WHEN 'p' THEN r.speaker_country WHEN 'k' THEN r.kind ELSE r.month END AS k "
        f"FROM r CROSS JOIN ({scalar_dims}) d) scalar_items WHERE k IS NOT NULL"
    )
    countries = (
        f"SELECT r.id, r.sign, 'c', l.country_id, {fresh_country} FROM r "
        "JOIN statements_quote_countries l ON l.quote_id = r.id"
    )
    topics = (
        f"SELECT r.id, r.sign, 't', CAST(l.topic_id AS TEXT), {fresh_topic} FROM r "
        "JOIN statements_quote_topics l ON l.quote_id = r.id"
    )
    relations = (
        f"SELECT r.id, r.sign, '{RELATION}', r.speaker_country || '>' || l.country_id, "
        f"{fresh_country} FROM r JOIN statements_quote_countries l ON l.quote_id = r.id "
        "WHERE r.speaker_country IS NOT NULL AND l.country_id <> r.speaker_country "
        f"UNION ALL SELECT r.id, r.sign, '{RELATION}', '{UNPLACED}', {fresh_unplaced} FROM r "
        f"WHERE r.speaker_country IS NULL AND EXISTS ({_LINKS_OF_R})"
    )
    if COUNTRY not in dims:
        countries = ""
    if TOPIC not in dims:
        topics = ""
    if RELATION not in dims:
        relations = ""
    parts = (scalar, countries, topics, relations, _word_items(fresh=0) if words else "", extra)
    return " UNION ALL ".join(part for part in parts if part)


_LINKS_OF_R = "SELECT 1 FROM statements_quote_countries l WHERE l.quote_id = r.id"


def _word_items(*, fresh: int, among: str = f"SELECT lexeme FROM {WORD_TABLE}") -> str:
    """The `w` items of the statements in `r`: the words of their text that are `among`."""
    return (
        f"SELECT r.id, r.sign, '{WORD}', lx.lexeme, {fresh} FROM r CROSS JOIN LATERAL "
        "unnest(tsvector_to_array(r.search_vector)) AS lx(lexeme) "
        f"WHERE lx.lexeme IN ({among})"
    )


def _deleted_link_items(country: str, source: str = "r") -> str:
    """Items a statement of `r` loses with its link to `country` (fresh, to subtract):
    that country, the relation to it, and UNPLACED when no link is left."""
    return (
        f"SELECT r.id, r.sign, '{COUNTRY}', {country}, 1 FROM {source} UNION ALL "
        f"SELECT r.id, r.sign, '{RELATION}', r.speaker_country || '>' || {country}, 1 "
        f"FROM {source} WHERE r.speaker_country IS NOT NULL AND {country} <> r.speaker_country "
        f"UNION ALL SELECT DISTINCT r.id, r.sign, '{RELATION}', '{UNPLACED}', 1 FROM {source} "
        f"WHERE r.speaker_country IS NULL AND NOT EXISTS ({_LINKS_OF_R})"
    )


def _upsert(rows: str, items: str, *, only_fresh: bool = False) -> str:
    """Add each pair of items of the same statement (version) to the tally, times sign."""
    fresh = " AND (a.fresh = 1 OR b.fresh = 1)" if only_fresh else ""
    return (
        f"INSERT INTO {TABLE} (scope_dim, scope_key, value_dim, value_key, n) "
        "SELECT scope_dim, scope_key, value_dim, value_key, SUM(sign) FROM ("
        f"WITH r AS ({rows}), items AS ({items}) "
        "SELECT a.dim AS scope_dim, a.k AS scope_key, b.dim AS value_dim, b.k AS value_key, "
        "a.sign AS sign FROM items a JOIN items b ON a.q = b.q AND a.sign = b.sign "
        # A month is counted per speaker, per relation and overall, never a scope; a relation
        # is counted overall, per kind, per topic and per word, and is a scope (but not
        # UNPLACED); a word is only a scope.
        "WHERE a.dim <> 'm' AND (b.dim <> 'm' OR a.dim IN ('s', '*', 'r')) "
        f"AND (b.dim <> 'r' OR a.dim IN ('*', 'k', 't', '{WORD}')) AND b.dim <> '{WORD}' "
        f"AND NOT (a.dim = 'r' AND a.k = '{UNPLACED}'){fresh}"
        ") pairs WHERE true "
        "GROUP BY scope_dim, scope_key, value_dim, value_key HAVING SUM(sign) <> 0 "
        # In key order: a recount lays each scope's rows side by side (a page reads one
        # scope from a few blocks), and concurrent writers lock shared rows in one order.
        "ORDER BY scope_dim, scope_key, value_dim, value_key "
        "ON CONFLICT (scope_dim, scope_key, value_dim, value_key) "
        f"DO UPDATE SET n = {TABLE}.n + excluded.n"
    )


BUMP = (
    f"INSERT INTO {TABLE} (scope_dim, scope_key, value_dim, value_key, n) "
    "VALUES ('#', '', '#', '', 1) ON CONFLICT (scope_dim, scope_key, value_dim, value_key) "
    f"DO UPDATE SET n = {TABLE}.n + 1"
)


def rebuild_sql(vendor: str, *, words: bool = True) -> list[str]:
    """Recount every tally from the statements (set-based; also the migration's fill)."""
    rows = _rows(vendor, "statements_quote", sign=1)
    items = _items(words=words and vendor == "postgresql")
    return [f"DELETE FROM {TABLE} WHERE scope_dim <> '#'", _upsert(rows, items), BUMP]


def reinstall_sql(vendor: str, *, words: bool = True) -> list[str]:
    """Replace the triggers with the current ones and recount: what a migration that
    changes what they count runs. Without `words`: as before words were tallied."""
    work_mem = ["SET LOCAL work_mem = '256MB'"] if vendor == "postgresql" else []
    return [
        *uninstall_sql(vendor),
        *install_sql(vendor, words=words),
        *work_mem,
        *rebuild_sql(vendor, words=words),
    ]


# --- SQLite: row triggers -------------------------------------------------------------

_QUOTE_COLUMNS = ("id", "speaker_id", "kind", "is_deleted", "article_id")


def _sqlite_row(ref: str) -> str:
    cols = ", ".join(f"{ref}.{c} AS {c}" for c in _QUOTE_COLUMNS)
    return f"(SELECT {cols})"


def _sqlite_triggers() -> dict[str, str]:
    v = "sqlite"
    quote = "statements_quote"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _QUOTE_COLUMNS[1:])
    triggers = {
        "quote_ai": (
            f"AFTER INSERT ON {quote}",
            [_upsert(_rows(v, _sqlite_row("NEW"), sign=1), _items())],
        ),
        "quote_ad": (
            f"AFTER DELETE ON {quote}",
            [_upsert(_rows(v, _sqlite_row("OLD"), sign=-1), _items())],
        ),
        "quote_au": (
            f"AFTER UPDATE ON {quote} WHEN {changed}",
            [
                _upsert(_rows(v, _sqlite_row("OLD"), sign=-1), _items()),
                _upsert(_rows(v, _sqlite_row("NEW"), sign=1), _items()),
            ],
        ),
    }
    for dim, table in (("c", "statements_quote_countries"), ("t", "statements_quote_topics")):
        fresh = "CASE WHEN l.id = NEW.id THEN 1 ELSE 0 END"
        kwargs = {"fresh_topic": fresh}
        if dim == "c":
            first = "CASE WHEN (SELECT COUNT(*) FROM statements_quote_countries l "
            first += "WHERE l.quote_id = r.id) = 1 THEN 1 ELSE 0 END"
            kwargs = {"fresh_country": fresh, "fresh_unplaced": first}
        triggers[f"{dim}_ai"] = (
            f"AFTER INSERT ON {table}",
            [
                _upsert(
                    _rows(v, quote, sign=1, where="x.id = NEW.quote_id"),
                    _items(**kwargs),
                    only_fresh=True,
                )
            ],
        )
        deleted = (
            _deleted_link_items("OLD.country_id")
            if dim == "c"
            else f"SELECT r.id, r.sign, '{dim}', CAST(OLD.topic_id AS TEXT), 1 FROM r"
        )
        triggers[f"{dim}_ad"] = (
            f"AFTER DELETE ON {table}",
            [
                _upsert(
                    _rows(v, quote, sign=-1, where="x.id = OLD.quote_id"),
                    _items(extra=deleted),
                    only_fresh=True,
                )
            ],
        )
    # A speaker's new country, an article's new date: recount their statements.
    triggers["speaker_au"] = (
        "AFTER UPDATE OF country_id ON statements_speaker "
        "WHEN OLD.country_id IS NOT NEW.country_id",
        [
            _upsert(
                _rows(
                    v,
                    quote,
                    sign=-1,
                    where="x.speaker_id = NEW.id",
                    speaker_country="OLD.country_id",
                ),
                _items(),
            ),
            _upsert(
                _rows(
                    v,
                    quote,
                    sign=1,
                    where="x.speaker_id = NEW.id",
                    speaker_country="NEW.country_id",
                ),
                _items(),
            ),
        ],
    )
    # An article's new date, or its marking as a later version of a story (or no longer).
    article = {
        row: _rows(
            v,
            quote,
            sign=-1 if row == "OLD" else 1,
            where="x.article_id = NEW.id",
            published=f"{row}.published",
            duplicate_of=f"{row}.duplicate_of_id",
        )
        for row in ("OLD", "NEW")
    }
    triggers["article_au"] = (
        "AFTER UPDATE OF published, duplicate_of_id ON statements_article "
        "WHEN OLD.published IS NOT NEW.published "
        "OR OLD.duplicate_of_id IS NOT NEW.duplicate_of_id",
        [_upsert(article["OLD"], _items()), _upsert(article["NEW"], _items())],
    )
    sql = {}
    for name, (event, statements) in triggers.items():
        body = "; ".join([*statements, BUMP])
        sql[f"tally_{name}"] = (
            f"CREATE TRIGGER IF NOT EXISTS tally_{name} {event} BEGIN {body}; END"
        )
    for table in VERSIONED_TABLES:
        for op in ("INSERT", "UPDATE", "DELETE"):
            name = f"version_{table.removeprefix('statements_')}_{op.lower()}"
            sql[name] = (
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {op} ON {table} BEGIN {BUMP}; END"
            )
    return sql


# --- PostgreSQL: statement triggers over transition tables -----------------------------


def _pg_function(name: str, statements: list[str]) -> str:
    body = " ".join(f"{s};" for s in [*statements, BUMP])
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
    )


def _pg_triggers(*, words: bool = True) -> dict[str, tuple[str, str]]:
    """name -> (function SQL, trigger SQL); `words`: count the tallied words."""
    v = "postgresql"
    quote = "statements_quote"
    out = {}

    def add(name, table, event, transitions, statements):
        fn = f"tally_{name}_fn"
        refs = f" REFERENCING {transitions}" if transitions else ""
        out[name] = (
            _pg_function(fn, statements),
            f"CREATE TRIGGER tally_{name} AFTER {event} ON {table}{refs} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()",
        )

    add("quote_ai", quote, "INSERT", "NEW TABLE AS new_rows",
        [_upsert(_rows(v, "new_rows", sign=1), _items(words=words))])  # fmt: skip
    add("quote_ad", quote, "DELETE", "OLD TABLE AS old_rows",
        [_upsert(_rows(v, "old_rows", sign=-1), _items(words=words))])  # fmt: skip
    # The text too: a corrected statement may gain or lose a tallied word.
    differs = " OR ".join(
        f"o.{c} IS DISTINCT FROM n.{c}"
        for c in ("speaker_id", "kind", "is_deleted", "article_id", "text")
    )
    changed = f"(SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differs})"
    add("quote_au", quote, "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", [
        _upsert(_rows(v, "old_rows", sign=-1, where=f"x.id IN {changed}"), _items(words=words)),
        _upsert(_rows(v, "new_rows", sign=1, where=f"x.id IN {changed}"), _items(words=words)),
    ])  # fmt: skip
    for dim, table in (("c", "statements_quote_countries"), ("t", "statements_quote_topics")):
        fresh = "CASE WHEN l.id IN (SELECT id FROM new_links) THEN 1 ELSE 0 END"
        kwargs = {"fresh_topic": fresh}
        if dim == "c":
            # A statement whose links all came in this insert had none before.
            first = "CASE WHEN NOT EXISTS (SELECT 1 FROM statements_quote_countries l "
            first += "WHERE l.quote_id = r.id AND l.id NOT IN (SELECT id FROM new_links)) "
            first += "THEN 1 ELSE 0 END"
            kwargs = {"fresh_country": fresh, "fresh_unplaced": first}
        add(f"{dim}_ai", table, "INSERT", "NEW TABLE AS new_links", [
            _upsert(
                _rows(v, quote, sign=1, where="x.id IN (SELECT quote_id FROM new_links)"),
                _items(**kwargs, words=words),
                only_fresh=True,
            )
        ])  # fmt: skip
        deleted = (
            _deleted_link_items("o.country_id", "r JOIN old_links o ON o.quote_id = r.id")
            if dim == "c"
            else f"SELECT r.id, r.sign, '{dim}', CAST(o.topic_id AS TEXT), 1 "
            "FROM r JOIN old_links o ON o.quote_id = r.id"
        )
        add(f"{dim}_ad", table, "DELETE", "OLD TABLE AS old_links", [
            _upsert(
                _rows(v, quote, sign=-1, where="x.id IN (SELECT quote_id FROM old_links)"),
                _items(extra=deleted, words=words),
                only_fresh=True,
            )
        ])  # fmt: skip
    cols = "q.id, q.speaker_id, q.kind, q.is_deleted, q.article_id, q.search_vector"
    speakers = (
        f"(SELECT {cols}, o.country_id AS old_country, n.country_id AS new_country "
        f"FROM {quote} q JOIN old_rows o ON o.id = q.speaker_id JOIN new_rows n ON n.id = o.id "
        "WHERE o.country_id IS DISTINCT FROM n.country_id)"
    )
    both = "OLD TABLE AS old_rows NEW TABLE AS new_rows"
    add("speaker_au", "statements_speaker", "UPDATE", both, [
        _upsert(_rows(v, speakers, sign=-1, speaker_country="x.old_country"), _items(words=words)),
        _upsert(_rows(v, speakers, sign=1, speaker_country="x.new_country"), _items(words=words)),
    ])  # fmt: skip
    articles = (
        f"(SELECT {cols}, o.published AS old_published, n.published AS new_published, "
        "o.duplicate_of_id AS old_duplicate_of, n.duplicate_of_id AS new_duplicate_of "
        f"FROM {quote} q JOIN old_rows o ON o.id = q.article_id JOIN new_rows n ON n.id = o.id "
        "WHERE o.published IS DISTINCT FROM n.published "
        "OR o.duplicate_of_id IS DISTINCT FROM n.duplicate_of_id)"
    )
    add("article_au", "statements_article", "UPDATE", both, [
        _upsert(_rows(v, articles, sign=-1, published="x.old_published",
                      duplicate_of="x.old_duplicate_of"), _items(words=words)),
        _upsert(_rows(v, articles, sign=1, published="x.new_published",
                      duplicate_of="x.new_duplicate_of"), _items(words=words)),
    ])  # fmt: skip
    fn = "tally_version_fn"
    for table in VERSIONED_TABLES:
        short = table.removeprefix("statements_")
        out[f"version_{short}"] = (
            _pg_function(fn, []),
            f"CREATE TRIGGER tally_version_{short} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()",
        )
    return out


def install_sql(vendor: str, *, words: bool = True) -> list[str]:
    """Create (or replace) the triggers; nothing for other databases."""
    if vendor == "sqlite":
        return list(_sqlite_triggers().values())
    if vendor == "postgresql":
        out = []
        for name, (function, trigger) in _pg_triggers(words=words).items():
            trigger_name = f"tally_{name}"
            table = trigger.split(" ON ", 1)[1].split()[0]
            out += [function, f"DROP TRIGGER IF EXISTS {trigger_name} ON {table}", trigger]
        return out
    return []


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_triggers()]
    if vendor == "postgresql":
        out = []
        for name, (_, trigger) in _pg_triggers().items():
            table = trigger.split(" ON ", 1)[1].split()[0]
            out.append(f"DROP TRIGGER IF EXISTS tally_{name} ON {table}")
        functions = {f.split("FUNCTION ", 1)[1].split("(")[0] for f, _ in _pg_triggers().values()}
        out += [f"DROP FUNCTION IF EXISTS {fn}()" for fn in sorted(functions)]
        return out
    return []


def _execute(using: str, statements: Iterable[str]) -> None:
    with connections[using].cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def rebuild(using: str = "default") -> None:
    """Recount every tally from the statements (after a bulk load with the triggers off)."""
    connection = connections[using]
    # Words from the migration that made their table on (a database migrated back before it
    # has none).
    words = WORD_TABLE in connection.introspection.table_names()
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            _execute(using, ["SET LOCAL work_mem = '256MB'"])
        _execute(using, rebuild_sql(connection.vendor, words=words))


def triggers_installed(using: str = "default") -> bool:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND (name LIKE 'tally_%' OR name LIKE 'version_%')"
            )
            return cursor.fetchone()[0] == len(_sqlite_triggers())
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tally\\_%'")
            return cursor.fetchone()[0] == len(_pg_triggers())
    return True


def ensure_tallies(connection) -> None:
    """After migrating (and after a test database is flushed): SQLite drops a table's
    triggers when Django rebuilds the table to alter it, so put them back; and recount
    when the tally disagrees with the statements (a flush on SQLite deletes the tally's
    rows and the statements' in any order)."""
    if TABLE not in connection.introspection.table_names():
        return  # not migrated that far (or migrated back)
    using = connection.alias
    broken = not triggers_installed(using)
    if broken and connection.vendor == "sqlite":
        _execute(using, install_sql("sqlite"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM statements_quote q JOIN statements_article a "
            "ON a.id = q.article_id WHERE NOT q.is_deleted AND a.duplicate_of_id IS NULL"
        )
        visible = cursor.fetchone()[0]
    if broken or visible != totals([ALL], using)[ALL]:
        rebuild(using)


@contextlib.contextmanager
def suspended(using: str = "default") -> Iterator[None]:
    """Bulk loads: drop the triggers, and recount once at the end (minutes instead of hours
    at a million statements), with the words the load made frequent."""
    vendor = connections[using].vendor
    _execute(using, uninstall_sql(vendor))
    try:
        yield
    finally:
        _execute(using, install_sql(vendor))
        if vendor == "postgresql":
            _execute(using, ["ANALYZE statements_quote"])
            with transaction.atomic(using=using):
                _add_words(using, _new_frequent_words(using, _word_tally_min()))
        rebuild(using)


# --- Tallied words (PostgreSQL) -----------------------------------------------------------

# Tables whose writes change what a word's scope counts: locked while words are added, so
# that no write counted without a new word commits after the recount of that word.
_WORD_LOCKED_TABLES = (
    "statements_quote",
    "statements_quote_countries",
    "statements_quote_topics",
    "statements_speaker",
    "statements_article",
)
MAX_WORD_LENGTH = 20  # a scope_key
WORD_BATCH = 4


def _word_tally_min() -> int:
    return settings.NEWSROOM_WORD_TALLY_MIN


def _new_frequent_words(using: str, min_statements: int) -> list[str]:
    """Words in at least `min_statements` statements by PostgreSQL's statistics of the
    search vectors (the most common lexemes of a sample, kept by ANALYZE and autovacuum),
    not tallied yet."""
    sql = (
        "SELECT u.lexeme FROM pg_stats s CROSS JOIN LATERAL unnest("
        "CAST(CAST(s.most_common_elems AS text) AS text[]), s.most_common_elem_freqs"
        ") AS u(lexeme, freq) "
        "WHERE s.schemaname = current_schema() AND s.tablename = 'statements_quote' "
        "AND s.attname = 'search_vector' AND u.lexeme IS NOT NULL "
        "AND u.freq * (SELECT reltuples FROM pg_class "
        "WHERE oid = CAST('statements_quote' AS regclass)) >= %s "
        f"AND u.lexeme NOT IN (SELECT lexeme FROM {WORD_TABLE}) ORDER BY u.lexeme"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [min_statements])
        found = [row[0] for row in cursor.fetchall()]
    return [word for word in found if _usable(word)]


def _usable(word: str) -> bool:
    # A scope key's length; and no quote, backslash or space, which a tsquery would read.
    return 0 < len(word) <= MAX_WORD_LENGTH and not set(word) & {"'", "\\", " "}


def _add_words(using: str, words: list[str]) -> None:
    if words:
        with connections[using].cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {WORD_TABLE} (lexeme) VALUES (%s) ON CONFLICT DO NOTHING",
                [[w] for w in words],
            )


def tally_words(words: Iterable[str], using: str = "default") -> list[str]:
    """Tally these lexemes from now on, counting their statements once; returns those that
    were not tallied yet. Writers wait meanwhile (a word still rare enough to be new costs
    a few thousand statements' items)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with transaction.atomic(using=using):
        _execute(using, ["SET LOCAL lock_timeout = '10s'", "SET LOCAL work_mem = '256MB'"])
        tables = ", ".join(_WORD_LOCKED_TABLES)
        _execute(using, [f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE"])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT lexeme FROM {WORD_TABLE}")
            tallied = {row[0] for row in cursor.fetchall()}
        new = sorted({word for word in words if _usable(word)} - tallied)
        if not new:
            return []
        _add_words(using, new)
        query = " | ".join(f"'{word}'" for word in new)  # lexemes without quotes (above)
        rows = _rows(
            "postgresql",
            "statements_quote",
            sign=1,
            where="x.search_vector @@ CAST(%s AS tsquery)",
        )
        items = _items(extra=_word_items(fresh=1, among="SELECT unnest(CAST(%s AS text[]))"))
        with connection.cursor() as cursor:
            cursor.execute(_upsert(rows, items, only_fresh=True), [query, new])
    return new


def refresh_words(*, min_statements: int | None = None, using: str = "default") -> list[str]:
    """Tally the words that became frequent (run every few minutes by the watcher); returns
    them. Nothing on other databases."""
    if connections[using].vendor != "postgresql":
        return []
    threshold = _word_tally_min() if min_statements is None else min_statements
    new = _new_frequent_words(using, threshold)
    # A few words a transaction: writers wait for one batch, not for all the words a large
    # database starts with (a second a word at a million statements).
    added = []
    for start in range(0, len(new), WORD_BATCH):
        added += tally_words(new[start : start + WORD_BATCH], using)
    return added


def tallied_word(q: str, using: str = "default") -> str | None:
    """The tallied word a web-search query is, when it is one word and nothing more."""
    if connections[using].vendor != "postgresql":
        return None
    sql = (
        f"SELECT lexeme FROM {WORD_TABLE} WHERE lexeme = (SELECT substring(t FROM %s) "
        "FROM (SELECT CAST(q AS text) AS t FROM websearch_to_tsquery("
        "CAST(%s AS regconfig), %s) AS q WHERE numnode(q) = 1) s)"
    )
    with connections[using].cursor() as cursor:
        # One quoted lexeme: 'talk' (tallied words hold no quote).
        cursor.execute(sql, ["^'([^']+)'$", SEARCH_CONFIG, q])
        row = cursor.fetchone()
    return row[0] if row else None


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScopeCounts:
    """What the tally says about the statements carrying one of `scopes`' items:
    `total`, and per dimension value -> count (speakers and topics keyed by id text)."""

    total: int
    values: dict[str, dict[str, int]]
    everything: int = 0  # visible statements in all


# All visible statements, as a row ('#', '', n) to append to a counting query.
EVERYTHING = (
    f"SELECT '#', '', n FROM {TABLE} "
    "WHERE scope_dim = '*' AND scope_key = '' AND value_dim = '*' AND value_key = ''"
)


def scope_counts(
    scopes: Iterable[tuple[str, str]], dims: Iterable[str], using: str = "default"
) -> ScopeCounts:
    """Counts over the statements of several scopes of one dimension (disjoint: a
    statement has one speaker), or of one scope. One query, read from the primary key."""
    scopes = list(scopes)
    dims = sorted(set(dims) | {"*"})
    if not scopes:
        return ScopeCounts(0, {d: {} for d in dims if d != "*"})
    scope_dim = scopes[0][0]
    keys = [key for _, key in scopes]
    key_marks = ", ".join(["%s"] * len(keys))
    dim_marks = ", ".join(["%s"] * len(dims))
    where = f"scope_dim = %s AND scope_key IN ({key_marks}) AND value_dim IN ({dim_marks})"
    if len(keys) == 1:  # the rows as they are: no grouping (a sort of thousands of rows)
        sql = f"SELECT value_dim, value_key, n FROM {TABLE} WHERE {where}"
    else:
        sql = (
            f"SELECT value_dim, value_key, CAST(SUM(n) AS BIGINT) FROM {TABLE} "
            f"WHERE {where} GROUP BY value_dim, value_key"
        )
    sql += f" UNION ALL {EVERYTHING}"
    values: dict[str, dict[str, int]] = {d: {} for d in dims}
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [scope_dim, *keys, *dims])
        rows = cursor.fetchall()
    everything = 0
    for dim, key, n in rows:
        if dim == "#":
            everything = int(n)
        elif n > 0:
            values[dim][key] = int(n)
    total = values.pop("*").get("", 0)
    return ScopeCounts(total, values, everything)


def live_counts(rows_sql: str, params, dims: Iterable[str], using: str = "default") -> ScopeCounts:
    """The same counts for any set of statements, for filters no tally scope answers: one
    grouping per dimension over the matching statements, read once. `rows_sql` selects
    them as columns id, speaker_id, speaker_country and kind (by name, in any order)."""
    dims = tuple(dims)
    groups = {
        SPEAKER: "SELECT 's', CAST(speaker_id AS TEXT), COUNT(*) FROM r "
        "WHERE speaker_id IS NOT NULL GROUP BY speaker_id",
        SPEAKER_COUNTRY: "SELECT 'p', speaker_country, COUNT(*) FROM r "
        "WHERE speaker_country IS NOT NULL GROUP BY speaker_country",
        KIND: "SELECT 'k', kind, COUNT(*) FROM r GROUP BY kind",
        # IN, not a join: the database hashes the matching ids, not the whole link table.
        COUNTRY: "SELECT 'c', country_id, COUNT(*) FROM statements_quote_countries "
        "WHERE quote_id IN (SELECT id FROM r) GROUP BY country_id",
        TOPIC: "SELECT 't', CAST(topic_id AS TEXT), COUNT(*) FROM statements_quote_topics "
        "WHERE quote_id IN (SELECT id FROM r) GROUP BY topic_id",
    }
    parts = ["SELECT '*', '', COUNT(*) FROM r", *(groups[d] for d in dims), EVERYTHING]
    sql = f"WITH r AS ({rows_sql}) " + " UNION ALL ".join(parts)
    values: dict[str, dict[str, int]] = {d: {} for d in (*dims, "*")}
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    everything = 0
    for dim, key, n in rows:
        if dim == "#":
            everything = int(n)
        else:
            values.setdefault(dim, {})[key] = int(n)
    total = values.pop("*").get("", 0)
    return ScopeCounts(total, values, everything)


def totals(scopes: Iterable[tuple[str, str]], using: str = "default") -> dict[tuple[str, str], int]:
    """How many statements each scope holds (one query)."""
    scopes = list(scopes)
    if not scopes:
        return {}
    where = " OR ".join(["(scope_dim = %s AND scope_key = %s)"] * len(scopes))
    sql = (
        f"SELECT scope_dim, scope_key, n FROM {TABLE} "
        f"WHERE ({where}) AND value_dim = '*' AND value_key = ''"
    )
    found = dict.fromkeys(scopes, 0)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [part for scope in scopes for part in scope])
        for dim, key, n in cursor.fetchall():
            found[(dim, key)] = int(n)
    return found


def data_version(using: str = "default") -> int:
    """A number that grows with every write to what pages show (0 before any)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT n FROM {TABLE} WHERE scope_dim = '#' AND scope_key = '' "
            "AND value_dim = '#' AND value_key = ''"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
