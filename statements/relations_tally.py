"""The relations tally: visible statements per (speaker's country, mentioned country) pair,
kept up to date by database triggers.

Counting the pairs live joins every country mention with its statement and speaker:
~130 ms on SQLite and ~300 ms on PostgreSQL at 100,000 statements. The tally holds the
answer for the unfiltered matrix, country pages and pair counts (a few thousand rows).

Triggers rather than application code, because statements change through many paths that
send no signal (bulk creates and updates during annotation, soft deletes with
QuerySet.update(), speaker merges, cascades): the database sees every one of them.
What changes a pair's count:

- a mention added or removed (statements_quote_countries insert / delete);
- a statement deleted, soft-deleted or restored, or given another speaker
  (statements_quote delete / update of is_deleted, speaker_id);
- a speaker's country changed (statements_speaker update of country_id);
- an article marked a later version of a story, or no longer (statements_article update
  of duplicate_of_id): its statements leave the counts, or come back.

`source` is '' for statements whose speaker has no country (or no speaker). Rows whose
count falls to 0 stay (with 0). The matrix's row and column totals are rows too:
(ROW_TOTAL, X) sums the pairs (X, any other country), (COLUMN_TOTAL, Y) the pairs (any
other speaker's country, Y); the matrix page reads those few hundred rows by the index of
(source, target), not every pair (29,000 at a million statements). Both the migration and
the post-migrate repair use the SQL here, so they cannot drift; `REBUILD` recounts
everything from the statements.
"""

from __future__ import annotations

TABLE = "statements_relationtally"
# The target of the row that counts, per source, the visible statements that mention at
# least one country: ('', MENTIONS) is the matrix's "speaker without a country" note.
MENTIONS = ""
# The source of the totals rows (ISO codes are letters).
ROW_TOTAL = ">"
COLUMN_TOTAL = "<"
# Which (source, target) rows are pairs that go into the totals: a speaker's country and
# another country.
_IN_TOTALS = (
    f"{{source}} NOT IN ('', '{ROW_TOTAL}', '{COLUMN_TOTAL}') "
    "AND {target} NOT IN ('', {source})"
)

# The speaker's country of a statement row `q`, '' when it has none.
_SOURCE = (
    "COALESCE((SELECT s.country_id FROM statements_speaker s WHERE s.id = {q}.speaker_id), '')"
)

# Statement row `q` is from the first version of its story (see Article.duplicate_of);
# with `NOT q.is_deleted`, what QuoteQuerySet.visible() means.
_ORIGINAL = (
    "NOT EXISTS (SELECT 1 FROM statements_article a "
    "WHERE a.id = {q}.article_id AND a.duplicate_of_id IS NOT NULL)"
)
_VISIBLE = "NOT {q}.is_deleted AND " + _ORIGINAL

REBUILD = [
    f"DELETE FROM {TABLE}",
    f"INSERT INTO {TABLE} (source, target, statements) "
    "SELECT COALESCE(s.country_id, ''), l.country_id, COUNT(*) "
    "FROM statements_quote_countries l "
    "JOIN statements_quote q ON q.id = l.quote_id "
    "LEFT JOIN statements_speaker s ON s.id = q.speaker_id "
    f"WHERE {_VISIBLE.format(q='q')} "
    "GROUP BY COALESCE(s.country_id, ''), l.country_id",
    f"INSERT INTO {TABLE} (source, target, statements) "
    f"SELECT COALESCE(s.country_id, ''), '{MENTIONS}', COUNT(DISTINCT l.quote_id) "
    "FROM statements_quote_countries l "
    "JOIN statements_quote q ON q.id = l.quote_id "
    "LEFT JOIN statements_speaker s ON s.id = q.speaker_id "
    f"WHERE {_VISIBLE.format(q='q')} "
    "GROUP BY COALESCE(s.country_id, '')",
    f"INSERT INTO {TABLE} (source, target, statements) "
    f"SELECT '{ROW_TOTAL}', source, SUM(statements) FROM {TABLE} "
    f"WHERE {_IN_TOTALS.format(source='source', target='target')} GROUP BY source",
    f"INSERT INTO {TABLE} (source, target, statements) "
    f"SELECT '{COLUMN_TOTAL}', target, SUM(statements) FROM {TABLE} "
    f"WHERE {_IN_TOTALS.format(source='source', target='target')} GROUP BY target",
]

_UPSERT = (
    f"ON CONFLICT (source, target) DO UPDATE SET statements = {TABLE}.statements "
    "+ excluded.statements"
)


def _with_totals(pairs: str, totals: bool) -> str:
    """`pairs`, a SELECT of (source, target, n) rows with one row a pair, and the rows of
    the totals they add to (with `totals`)."""
    if not totals:
        return pairs
    counted = _IN_TOTALS.format(source="p.source", target="p.target")
    return (
        f"{pairs} UNION ALL SELECT '{ROW_TOTAL}', p.source, SUM(p.n) FROM ({pairs}) p "
        f"WHERE {counted} GROUP BY p.source UNION ALL SELECT '{COLUMN_TOTAL}', p.target, SUM(p.n) "
        f"FROM ({pairs}) p WHERE {counted} GROUP BY p.target"
    )


def _sqlite_apply(rows: str, sign: int, when: str = "1") -> str:
    """SQLite: when `when` holds, add `sign` times n to the rows (source, target) of
    `rows`, a SELECT of (source, target, n) rows, one per (source, target)."""
    if sign > 0:
        return (
            f"INSERT INTO {TABLE} (source, target, statements) "
            f"SELECT r.source, r.target, r.n FROM ({rows}) r WHERE ({when}) AND r.n > 0 "
            f"{_UPSERT};"
        )
    return (
        f"UPDATE {TABLE} SET statements = statements - (SELECT r.n FROM ({rows}) r "
        f"WHERE r.source = {TABLE}.source AND r.target = {TABLE}.target) "
        f"WHERE ({when}) AND (source, target) IN (SELECT r.source, r.target FROM ({rows}) r);"
    )


def _sqlite_change(source: str, target_select: str, sign: int, totals: bool) -> str:
    """SQLite: add `sign` times n to the pairs (source, target) of `target_select`'s
    (target, n) rows, and to their totals."""
    pairs = f"SELECT {source} AS source, t.target AS target, t.n AS n FROM ({target_select}) t"
    return _sqlite_apply(_with_totals(pairs, totals), sign)


def _article_pairs(article_id: str) -> str:
    """(source, target, n) rows of an article's statements not deleted by staff."""
    joined = (
        "FROM statements_quote_countries l JOIN statements_quote q ON q.id = l.quote_id "
        "LEFT JOIN statements_speaker s ON s.id = q.speaker_id "
        f"WHERE q.article_id = {article_id} AND NOT q.is_deleted"
    )
    return (
        f"SELECT COALESCE(s.country_id, '') AS source, l.country_id AS target, COUNT(*) AS n "
        f"{joined} GROUP BY 1, 2 UNION ALL SELECT COALESCE(s.country_id, ''), '{MENTIONS}', "
        f"COUNT(DISTINCT l.quote_id) {joined} GROUP BY 1"
    )


def _sqlite_article_change(shown: str, totals: bool) -> str:
    """SQLite: an article's statements counted again when `shown`, else taken out."""
    rows = _with_totals(_article_pairs("new.id"), totals)
    return _sqlite_apply(rows, 1, when=shown) + " " + _sqlite_apply(rows, -1, when=f"NOT ({shown})")


def _quote_links(quote_id: str, extra: str = "") -> str:
    """(target, n) rows of one statement: each country it mentions, and the MENTIONS row."""
    where = f"quote_id = {quote_id} {extra}"
    return (
        f"SELECT country_id AS target, 1 AS n FROM statements_quote_countries WHERE {where} "
        f"UNION ALL SELECT '{MENTIONS}', COUNT(*) > 0 FROM statements_quote_countries "
        f"WHERE {where}"
    )


def _speaker_links(speaker_id: str) -> str:
    """(target, n) rows of a speaker's visible statements."""
    joined = (
        "FROM statements_quote_countries l JOIN statements_quote q ON q.id = l.quote_id "
        f"WHERE q.speaker_id = {speaker_id} AND {_VISIBLE.format(q='q')}"
    )
    return (
        f"SELECT l.country_id AS target, COUNT(*) AS n {joined} GROUP BY l.country_id "
        f"UNION ALL SELECT '{MENTIONS}', COUNT(DISTINCT l.quote_id) {joined}"
    )


def _link_totals(link: str, sign: int, totals: bool) -> str:
    """SQLite: add `sign` to the totals that mention row `link` counts in."""
    if not totals:
        return ""
    source = (
        f"SELECT {_SOURCE.format(q='q')} AS source FROM statements_quote q "
        f"WHERE q.id = {link}.quote_id AND {_VISIBLE.format(q='q')}"
    )
    counted = _IN_TOTALS.format(source="v.source", target=f"{link}.country_id")
    rows = (
        f"SELECT '{ROW_TOTAL}' AS source, v.source AS target, 1 AS n FROM ({source}) v "
        f"WHERE {counted} UNION ALL SELECT '{COLUMN_TOTAL}', {link}.country_id, 1 "
        f"FROM ({source}) v "
        f"WHERE {counted}"
    )
    return _sqlite_apply(rows, sign)


# SQLite runs a row trigger right after its row is written, so "the statement's first
# mention" is the insert after which it has exactly one.
def _sqlite_triggers(*, totals: bool = True) -> dict[str, str]:
    return {
        "statements_tally_link_ai": (
            "AFTER INSERT ON statements_quote_countries BEGIN "
            f"INSERT INTO {TABLE} (source, target, statements) "
            f"SELECT {_SOURCE.format(q='q')}, t.target, 1 FROM statements_quote q, "
            f"(SELECT new.country_id AS target UNION ALL SELECT '{MENTIONS}' WHERE "
            "(SELECT COUNT(*) FROM statements_quote_countries "
            "WHERE quote_id = new.quote_id) = 1) t "
            f"WHERE q.id = new.quote_id AND {_VISIBLE.format(q='q')} {_UPSERT}; "
            + _link_totals("new", 1, totals)
            + " END"
        ),
        "statements_tally_link_ad": (
            "AFTER DELETE ON statements_quote_countries BEGIN "
            f"UPDATE {TABLE} SET statements = statements - 1 WHERE (target = old.country_id "
            f"OR (target = '{MENTIONS}' AND NOT EXISTS (SELECT 1 FROM statements_quote_countries "
            "WHERE quote_id = old.quote_id))) "
            f"AND source = (SELECT {_SOURCE.format(q='q')} FROM statements_quote q "
            f"WHERE q.id = old.quote_id AND {_VISIBLE.format(q='q')}); "
            + _link_totals("old", -1, totals)
            + " END"
        ),
        "statements_tally_quote_ad": (
            f"AFTER DELETE ON statements_quote WHEN {_VISIBLE.format(q='old')} BEGIN "
            + _sqlite_change(_SOURCE.format(q="old"), _quote_links("old.id"), -1, totals)
            + " END"
        ),
        "statements_tally_quote_au": (
            "AFTER UPDATE OF is_deleted, speaker_id ON statements_quote "
            "WHEN old.is_deleted IS NOT new.is_deleted "
            "OR old.speaker_id IS NOT new.speaker_id BEGIN "
            + _sqlite_change(
                _SOURCE.format(q="old"),
                _quote_links("old.id", f"AND {_VISIBLE.format(q='old')}"),
                -1,
                totals,
            )
            + _sqlite_change(
                _SOURCE.format(q="new"),
                _quote_links("new.id", f"AND {_VISIBLE.format(q='new')}"),
                1,
                totals,
            )
            + " END"
        ),
        "statements_tally_speaker_au": (
            "AFTER UPDATE OF country_id ON statements_speaker "
            "WHEN old.country_id IS NOT new.country_id BEGIN "
            + _sqlite_change("COALESCE(old.country_id, '')", _speaker_links("new.id"), -1, totals)
            + _sqlite_change("COALESCE(new.country_id, '')", _speaker_links("new.id"), 1, totals)
            + " END"
        ),
        "statements_tally_article_au": (
            "AFTER UPDATE OF duplicate_of_id ON statements_article "
            "WHEN (old.duplicate_of_id IS NULL) IS NOT (new.duplicate_of_id IS NULL) BEGIN "
            + _sqlite_article_change("new.duplicate_of_id IS NULL", totals)
            + " END"
        ),
    }


SQLITE_TRIGGERS = _sqlite_triggers()
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]

# PostgreSQL runs row triggers at the end of their statement, when every row a bulk insert
# wrote is visible: mentions are counted per statement instead (transition tables), which
# also adds each pair once per insert, in a fixed order (fewer lock waits between writers).


_IN_TOTALS_PG = _IN_TOTALS.format(source="source", target="country_id")
_PG_TOTALS = f"""UNION ALL
    SELECT '{ROW_TOTAL}', source, COUNT(*) FROM changes WHERE {_IN_TOTALS_PG} GROUP BY 2
    UNION ALL
    SELECT '{COLUMN_TOTAL}', country_id, COUNT(*) FROM changes WHERE {_IN_TOTALS_PG} GROUP BY 2"""


def _pg_apply(changes: str, sign: int, totals: bool) -> str:
    """Add `sign` times the counts of `changes`, a SELECT of (source, quote_id, country_id,
    whole) rows for visible statements' mentions; `whole` marks the rows of a statement
    that gains its first mention or loses its last, which counts in (source, MENTIONS).
    The totals rows change with their pairs."""
    return f"""
  WITH changes (source, quote_id, country_id, whole) AS ({changes})
  INSERT INTO {TABLE} (source, target, statements)
  SELECT source, target, {sign} * n FROM (
    SELECT source, country_id AS target, COUNT(*) AS n FROM changes GROUP BY 1, 2
    UNION ALL
    SELECT source, '{MENTIONS}', COUNT(DISTINCT quote_id) FROM changes WHERE whole GROUP BY 1
    {_PG_TOTALS if totals else ""}
  ) d WHERE n > 0 ORDER BY source, target
  ON CONFLICT (source, target)
  DO UPDATE SET statements = {TABLE}.statements + EXCLUDED.statements;"""


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\n  RETURN NULL;\nEND $$;"
    )


_PG_QUOTE_MENTIONS = (
    "SELECT statements_tally_source({row}.speaker_id), {row}.id, country_id, true "
    "FROM statements_quote_countries WHERE quote_id = {row}.id"
)
_PG_SPEAKER_MENTIONS = (
    "SELECT COALESCE({row}.country_id, ''), l.quote_id, l.country_id, true "
    "FROM statements_quote_countries l JOIN statements_quote q ON q.id = l.quote_id "
    f"WHERE q.speaker_id = NEW.id AND {_VISIBLE.format(q='q')}"
)
# The statements of article NEW, deleted by staff or not.
_PG_ARTICLE_MENTIONS = (
    "SELECT statements_tally_source(q.speaker_id), l.quote_id, l.country_id, true "
    "FROM statements_quote_countries l JOIN statements_quote q ON q.id = l.quote_id "
    "WHERE q.article_id = NEW.id AND NOT q.is_deleted"
)


def _pg_functions(*, totals: bool = True) -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION statements_tally_source(p_speaker bigint) "
        "RETURNS varchar LANGUAGE sql STABLE AS $$ SELECT COALESCE("
        "(SELECT country_id FROM statements_speaker WHERE id = p_speaker), '') $$",
        _pg_function(
            "statements_tally_links_inserted",
            _pg_apply(
                "SELECT statements_tally_source(q.speaker_id), n.quote_id, n.country_id, "
                # A statement whose mentions all came in this insert had none before.
                "NOT EXISTS (SELECT 1 FROM statements_quote_countries l "
                "WHERE l.quote_id = n.quote_id AND NOT EXISTS (SELECT 1 FROM new_links m "
                "WHERE m.quote_id = l.quote_id AND m.country_id = l.country_id)) "
                "FROM new_links n JOIN statements_quote q ON q.id = n.quote_id "
                f"WHERE {_VISIBLE.format(q='q')}",
                1,
                totals,
            ),
        ),
        _pg_function(
            "statements_tally_links_deleted",
            _pg_apply(
                "SELECT statements_tally_source(q.speaker_id), o.quote_id, o.country_id, "
                "NOT EXISTS (SELECT 1 FROM statements_quote_countries l "
                "WHERE l.quote_id = o.quote_id) "
                "FROM old_links o JOIN statements_quote q ON q.id = o.quote_id "
                f"WHERE {_VISIBLE.format(q='q')}",
                -1,
                totals,
            ),
        ),
        # A statement deleted, hidden, shown again or given another speaker: its mentions move.
        _pg_function(
            "statements_tally_quote_changed",
            f"  IF TG_OP IN ('DELETE', 'UPDATE') AND {_VISIBLE.format(q='OLD')} THEN"
            + _pg_apply(_PG_QUOTE_MENTIONS.format(row="OLD"), -1, totals)
            + f"\n  END IF;\n  IF TG_OP = 'UPDATE' AND {_VISIBLE.format(q='NEW')} THEN"
            + _pg_apply(_PG_QUOTE_MENTIONS.format(row="NEW"), 1, totals)
            + "\n  END IF;",
        ),
        _pg_function(
            "statements_tally_article_changed",
            "  IF NEW.duplicate_of_id IS NULL THEN"
            + _pg_apply(_PG_ARTICLE_MENTIONS, 1, totals)
            + "\n  ELSE"
            + _pg_apply(_PG_ARTICLE_MENTIONS, -1, totals)
            + "\n  END IF;",
        ),
        _pg_function(
            "statements_tally_speaker_changed",
            _pg_apply(_PG_SPEAKER_MENTIONS.format(row="OLD"), -1, totals)
            + _pg_apply(_PG_SPEAKER_MENTIONS.format(row="NEW"), 1, totals),
        ),
    ]


PG_TRIGGERS = {
    "statements_tally_links_ins": (
        "statements_quote_countries",
        "AFTER INSERT ON statements_quote_countries REFERENCING NEW TABLE AS new_links "
        "FOR EACH STATEMENT EXECUTE FUNCTION statements_tally_links_inserted()",
    ),
    "statements_tally_links_del": (
        "statements_quote_countries",
        "AFTER DELETE ON statements_quote_countries REFERENCING OLD TABLE AS old_links "
        "FOR EACH STATEMENT EXECUTE FUNCTION statements_tally_links_deleted()",
    ),
    "statements_tally_quote_del": (
        "statements_quote",
        "AFTER DELETE ON statements_quote FOR EACH ROW "
        "EXECUTE FUNCTION statements_tally_quote_changed()",
    ),
    "statements_tally_quote_upd": (
        "statements_quote",
        "AFTER UPDATE OF is_deleted, speaker_id ON statements_quote FOR EACH ROW "
        "WHEN (OLD.is_deleted IS DISTINCT FROM NEW.is_deleted "
        "OR OLD.speaker_id IS DISTINCT FROM NEW.speaker_id) "
        "EXECUTE FUNCTION statements_tally_quote_changed()",
    ),
    "statements_tally_speaker_upd": (
        "statements_speaker",
        "AFTER UPDATE OF country_id ON statements_speaker FOR EACH ROW "
        "WHEN (OLD.country_id IS DISTINCT FROM NEW.country_id) "
        "EXECUTE FUNCTION statements_tally_speaker_changed()",
    ),
    "statements_tally_article_upd": (
        "statements_article",
        "AFTER UPDATE OF duplicate_of_id ON statements_article FOR EACH ROW "
        "WHEN ((OLD.duplicate_of_id IS NULL) <> (NEW.duplicate_of_id IS NULL)) "
        "EXECUTE FUNCTION statements_tally_article_changed()",
    ),
}
PG_FUNCTION_NAMES = [
    "statements_tally_links_inserted()",
    "statements_tally_links_deleted()",
    "statements_tally_quote_changed()",
    "statements_tally_speaker_changed()",
    "statements_tally_article_changed()",
    "statements_tally_source(bigint)",
]
PG_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, (table, _) in PG_TRIGGERS.items()),
    *(f"DROP FUNCTION IF EXISTS {name}" for name in PG_FUNCTION_NAMES),
]


def create_triggers(connection, *, totals: bool = True) -> None:
    """Create the triggers (idempotent) on a connection's database; without `totals`,
    triggers that keep no totals rows (what migrations before 0017 installed)."""
    if connection.vendor == "postgresql":
        statements = [
            *_pg_functions(totals=totals),
            *(
                f"DROP TRIGGER IF EXISTS {name} ON {table}"
                for name, (table, _) in PG_TRIGGERS.items()
            ),
            *(f"CREATE TRIGGER {name} {body}" for name, (_, body) in PG_TRIGGERS.items()),
        ]
    elif connection.vendor == "sqlite":
        statements = [
            f"CREATE TRIGGER IF NOT EXISTS {name} {body}"
            for name, body in _sqlite_triggers(totals=totals).items()
        ]
    else:
        statements = []
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop_triggers(connection) -> None:
    statements = {"postgresql": PG_DROP, "sqlite": SQLITE_DROP}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def rebuild(connection, *, totals: bool = True) -> None:
    """Recount every pair, and their totals, from the statements."""
    with connection.cursor() as cursor:
        for sql in REBUILD if totals else REBUILD[:-2]:
            cursor.execute(sql)


def ensure_triggers(connection) -> None:
    """Recreate what migrations cannot see: on SQLite, Django rebuilds a table to alter it
    and the triggers on the old table go with it; put them back and recount."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return  # not migrated that far (or migrated back); the migration creates it
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ("
            + ", ".join(["%s"] * len(SQLITE_TRIGGERS))
            + ")",
            list(SQLITE_TRIGGERS),
        )
        if cursor.fetchone()[0] == len(SQLITE_TRIGGERS):
            return
    create_triggers(connection)
    rebuild(connection)
