"""python manage.py make_fake_corpus : realistic-looking data at scale, without NLP.

For page benchmarks and trying the site with years of news: articles over several years,
speakers with accents and aliases (some very prolific, most rare), every country, topics,
and statements whose offsets point into their article's text, as the pipeline would store
them. Deterministic for a given --seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from statements import tallies
from statements.datacache import bump_data_version
from statements.dbstats import refresh_planner_statistics
from statements.models import Article, Country, Organisation, Quote, Speaker, SpeakerAlias, Topic
from statements.nlp.names import fold
from statements.services.reference import countries_load
from statements.services.speakers import speaker_slugs

FIRST_NAMES = [
    "Jens",
    "Antony",
    "Sergey",
    "Mevlüt",
    "Recep",
    "Tayyip",
    "Jean-Yves",
    "Annalena",
    "Josep",
    "Ursula",
    "António",
    "Olaf",
    "Emmanuel",
    "Wang",
    "Dmytro",
    "Mohammed",
    "Hakan",
    "Maroš",
    "Kaja",
    "Mark",
    "Radosław",
    "Zbigniew",
    "Petr",
    "Luís",
    "José",
    "Pedro",
    "Mariano",
    "Søren",
    "Björn",
    "Åsa",
    "Jürgen",
    "Łukasz",
    "Ioana",
    "Rosa",
    "Ngozi",
    "Amina",
    "Kofi",
    "Shinzō",
    "Yoshimasa",
    "Narendra",
    "Subrahmanyam",
    "Hossein",
    "Abbas",
    "Ayman",
    "Naledi",
    "Cyril",
    "Lula",
    "Javier",
    "Ángela",
    "Ségolène",
    "François",
    "Zoë",
    "Chloé",
    "Renée",
    "Dilma",
    "Gabriel",
    "Nikos",
    "Kyriakos",
    "Ilir",
    "Edi",
    "Aleksandar",
    "Miloš",
    "Vučić",
    "Ferenc",
    "Viktor",
    "Péter",
    "Mária",
    "Gitanas",
    "Andrzej",
    "Tomáš",
    "Ivana",
    "Jovana",
    "Nurlan",
    "Kassym-Jomart",
]
LAST_NAMES = (
    "Stoltenberg Blinken Lavrov Çavuşoğlu Erdoğan Le_Drian Baerbock Borrell von_der_Leyen "
    "Guterres Scholz Macron Yi Kuleba bin_Salman Fidan Šefčovič Kallas Rutte Sikorski Rau "
    "Fiala Montenegro Sánchez Albares Rajoy Frederiksen Løkke Söderberg Müller Öztürk Weiß "
    "Dąbrowski Nowak Popescu Ionescu Okonjo-Iweala Mohammed Annan Abe Hayashi Modi Jaishankar "
    "Amir-Abdollahian Araghchi Safadi Pandor Ramaphosa da_Silva Milei Núñez Merkel Royal "
    "Hollande Dupré Lefèvre Rousseff Boric Dendias Mitsotakis Meta Rama Vučić Orbán Szijjártó "
    "Nausėda Duda Kováč Horváth Petrović Tokayev Nazarbayev García Pérez Jiménez"
).replace("_", " ")
LAST_NAMES = LAST_NAMES.split()
ORGANISATIONS = [
    ("North Atlantic Treaty Organization", "NATO"),
    ("United Nations", "UN"),
    ("European Union", "EU"),
    ("World Trade Organization", "WTO"),
    ("International Atomic Energy Agency", "IAEA"),
    ("African Union", "AU"),
    ("Organization for Security and Co-operation in Europe", "OSCE"),
    ("World Health Organization", "WHO"),
]
ROLES = [
    "Foreign Minister",
    "Defence Minister",
    "Prime Minister",
    "President",
    "Secretary General",
    "Spokesperson",
    "Ambassador to the United Nations",
    "Permanent Representative to NATO",
    "Trade Commissioner",
    "High Representative",
    "Deputy Foreign Minister",
    "Chief Negotiator",
]
# Countries that news mentions most, in rough order; the rest of the table trails behind.
FREQUENT_COUNTRIES = [
    "US",
    "RU",
    "CN",
    "UA",
    "TR",
    "DE",
    "FR",
    "GB",
    "IR",
    "IL",
    "PS",
    "SY",
    "IQ",
    "AF",
    "KP",
    "KR",
    "JP",
    "IN",
    "PK",
    "SA",
    "EG",
    "QA",
    "PL",
    "GR",
    "BE",
    "NL",
    "IT",
    "ES",
    "SE",
    "FI",
]
TOPIC_WORDS = {
    "security": "security defence deterrence troops",
    "trade": "trade tariffs exports markets",
    "sanctions": "sanctions embargo restrictions penalties",
    "nuclear": "nuclear enrichment warheads non-proliferation",
    "climate": "climate emissions warming carbon",
    "migration": "migration refugees asylum borders",
    "energy": "energy gas pipeline oil",
    "human-rights": "human-rights freedoms detention journalists",
    "ceasefire": "ceasefire truce hostilities fighting",
    "elections": "elections ballots vote campaign",
    "terrorism": "terrorism extremists attacks militants",
    "cyber": "cyber hacking ransomware infrastructure",
    "health": "health pandemic vaccines hospitals",
    "humanitarian-aid": "humanitarian aid convoys food",
    "diplomacy": "diplomacy dialogue talks negotiations",
    "arms-control": "arms-control treaty missiles inspections",
    "maritime": "maritime shipping navy straits",
    "economy": "economy growth inflation investment",
    "alliance": "alliance allies partners solidarity",
    "peace-process": "peace-process settlement mediation accord",
    "espionage": "espionage spies intelligence surveillance",
    "territory": "territory annexation sovereignty frontier",
    "debt": "debt loans bonds default",
    "food-security": "food-security grain harvest famine",
    "space": "space satellites launch orbit",
    "technology": "technology semiconductors chips artificial-intelligence",
    "refugees": "refugees camps displacement shelter",
    "corruption": "corruption bribery fraud graft",
    "water": "water dams drought rivers",
    "summits": "summits summit leaders communique",
}
OPENINGS = [
    "We will not accept",
    "There can be no compromise on",
    "Our position on",
    "The world is watching",
    "It is time to talk about",
    "Nobody wants more",
    "We remain committed to",
    "This is a turning point for",
    "We are deeply concerned about",
    "History will judge",
    "Let me be clear about",
    "We call on all sides to respect",
]
MIDDLES = [
    "and the talks with {country} must continue",
    "because {country} has crossed a line",
    "while our partners in {country} stand with us",
    "and we expect {country} to keep its word",
    "so the door to dialogue with {country} stays open",
    "as the situation in {country} gets worse",
    "even if {country} refuses to listen",
]
CUES = ["said", "told reporters", "warned", "stressed", "added", "insisted", "reiterated"]
CUE_TOPICS = ["sanctions", "the ceasefire", "trade", "security", "the summit", "energy"]
SOURCES = ["Reuters", "AP", "AFP", "Anadolu", "TASS", "Xinhua", "BBC", "Al Jazeera", "DW"]


def _zipf_weights(n: int, s: float = 0.9) -> list[float]:
    return list(accumulate(1 / (rank**s) for rank in range(1, n + 1)))


class Command(BaseCommand):
    help = "Bulk-create a realistic fake corpus (no NLP) for benchmarks and demos."

    def add_arguments(self, parser):
        parser.add_argument("--statements", type=int, default=10_000)
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--speakers", type=int, default=2_000)
        parser.add_argument("--topics", type=int, default=30)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--flush", action="store_true", help="delete all articles, speakers and statements"
        )
        parser.add_argument("--chunk", type=int, default=1000, help="articles per transaction")

    def handle(self, *args, **opts):
        if opts["articles"] < 1 or opts["statements"] < 0 or opts["speakers"] < 1:
            raise CommandError("--articles and --speakers must be positive.")
        started = time.perf_counter()
        self.verbosity = opts["verbosity"]
        self.rng = random.Random(opts["seed"])
        if not opts["flush"] and Article.objects.exists():
            raise CommandError("The database already holds articles; add --flush to replace them.")
        # Without the count triggers, then one recount: per-row upkeep would multiply the
        # time a million statements take.
        with tallies.suspended():
            self.fill(opts)
        refresh_planner_statistics()
        self.stdout.write(
            f"{opts['articles']} articles, {opts['statements']} statements, "
            f"{opts['speakers']} speakers ({SpeakerAlias.objects.count()} aliases) "
            f"in {time.perf_counter() - started:.1f} s"
        )

    def fill(self, opts) -> None:
        if opts["flush"]:
            self.flush()
        countries = self.countries()
        topics = self.topics(opts["topics"])
        speakers = self.speakers(opts["speakers"], countries)
        self.articles_and_quotes(
            n_articles=opts["articles"],
            n_statements=opts["statements"],
            years=opts["years"],
            chunk=opts["chunk"],
            speakers=speakers,
            countries=countries,
            topics=topics,
        )

    def flush(self) -> None:
        for model in (
            Quote.countries.through,
            Quote.topics.through,
            Quote,
            Article,
            SpeakerAlias,
            Speaker,
            Organisation,
        ):
            # A plain DELETE, not QuerySet.delete(): the cache-invalidation signals on
            # these models make Django fetch every row to send one signal each, minutes
            # at 100,000 statements, for a flush nobody needs notified of row by row.
            model.objects.all()._raw_delete(model.objects.db)
        bump_data_version()

    def countries(self) -> list[Country]:
        if Country.objects.count() < 200:
            countries_load()
        by_code = {c.code: c for c in Country.objects.all()}
        frequent = [by_code[c] for c in FREQUENT_COUNTRIES if c in by_code]
        rest = [c for code, c in sorted(by_code.items()) if code not in FREQUENT_COUNTRIES]
        return frequent + rest

    def topics(self, n: int) -> list[Topic]:
        existing = list(Topic.objects.order_by("pk"))
        have = {t.slug for t in existing}
        missing = [
            Topic(slug=slug, name=slug.replace("-", " ").capitalize(), keywords=words.split())
            for slug, words in TOPIC_WORDS.items()
            if slug not in have
        ][: max(0, n - len(existing))]
        Topic.objects.bulk_create(missing)
        return list(Topic.objects.order_by("pk"))[: max(n, 1)]

    def speakers(self, n: int, countries: list[Country]) -> list[Speaker]:
        rng = self.rng
        Organisation.objects.bulk_create(
            [Organisation(name=name, acronym=acr, aliases=[acr]) for name, acr in ORGANISATIONS],
            ignore_conflicts=True,
        )
        orgs = list(Organisation.objects.filter(name__in=[name for name, _ in ORGANISATIONS]))
        country_weights = _zipf_weights(len(countries), 1.1)
        seen_names: set[str] = set()
        speakers, alias_names = [], []
        while len(speakers) < n:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name in seen_names:
                name = f"{name} {rng.choice(LAST_NAMES)}"
                if name in seen_names:
                    continue
            seen_names.add(name)
            key = fold(name)
            role = rng.choice(ROLES)
            kind = Speaker.Kind.PERSON
            org = rng.choice(orgs) if rng.random() < 0.15 else None
            country = rng.choices(countries, cum_weights=country_weights)[0]
            speakers.append(
                Speaker(
                    name=name,
                    kind=kind,
                    role=role,
                    country=country if org is None else None,
                    organisation=org,
                    search_name=key,
                )
            )
            first_name, surname = name.split(" ", 1)
            aliases = [surname]  # names only: role nouns are never aliases (SpeakerAlias)
            if rng.random() < 0.5:
                aliases.append(f"{first_name[0]}. {surname}")
            alias_names.append(aliases)
        for speaker, slug in zip(
            speakers, speaker_slugs(names=[s.name for s in speakers]), strict=True
        ):
            speaker.slug = slug
        speakers = Speaker.objects.bulk_create(speakers, batch_size=1000)
        aliases = []
        for speaker, names in zip(speakers, alias_names, strict=True):
            keys = {speaker.search_name}
            for alias in names:
                key = fold(alias)
                if key and key not in keys:
                    keys.add(key)
                    aliases.append(SpeakerAlias(speaker=speaker, name=alias, search_name=key))
        SpeakerAlias.objects.bulk_create(aliases, batch_size=2000, ignore_conflicts=True)
        return speakers

    def articles_and_quotes(
        self, *, n_articles, n_statements, years, chunk, speakers, countries, topics
    ) -> None:
        rng = self.rng
        # Statements per article: a random split of n_statements over the articles.
        per_article = [0] * n_articles
        for _ in range(n_statements):
            per_article[rng.randrange(n_articles)] += 1
        speaker_weights = _zipf_weights(len(speakers), 0.9)
        country_weights = _zipf_weights(len(countries), 1.1)
        topic_weights = _zipf_weights(len(topics), 0.7)
        end = dt.date(2026, 10, 31)
        span_days = 365 * years
        now = timezone.now()
        for first in range(0, n_articles, chunk):
            articles, plans = [], []
            for i in range(first, min(first + chunk, n_articles)):
                speakers_here = rng.choices(speakers, cum_weights=speaker_weights, k=3)
                country = rng.choices(countries, cum_weights=country_weights)[0]
                statements = []
                for _ in range(per_article[i]):
                    speaker = rng.choice(speakers_here) if rng.random() > 0.08 else None
                    mentioned = rng.choices(
                        countries, cum_weights=country_weights, k=rng.choice((0, 1, 1, 2))
                    )
                    on = rng.choices(topics, cum_weights=topic_weights, k=rng.choice((0, 1, 1, 2)))
                    statements.append((speaker, mentioned, on))
                body, spans = self.article_text(i, country, statements)
                published = end - dt.timedelta(days=rng.randrange(span_days))
                articles.append(
                    Article(
                        title=body.split("\n", 1)[0],
                        body=body,
                        source_name=rng.choice(SOURCES),
                        published=published,
                        content_hash=hashlib.sha256(body.encode()).hexdigest(),
                        status=Article.Status.ANNOTATED,
                        pipeline_version="fake",
                        annotated_at=now,
                    )
                )
                plans.append((statements, spans))
            with transaction.atomic():
                articles = Article.objects.bulk_create(articles, batch_size=500)
                quotes, links = [], []
                for article, (statements, spans) in zip(articles, plans, strict=True):
                    for position, ((speaker, mentioned, on), span) in enumerate(
                        zip(statements, spans, strict=True)
                    ):
                        roll = rng.random()
                        quotes.append(
                            Quote(
                                article=article,
                                speaker=speaker,
                                position=position,
                                is_deleted=roll < 0.01,
                                verified=0.01 <= roll < 0.03,
                                **span,
                            )
                        )
                        links.append((mentioned, on))
                quotes = Quote.objects.bulk_create(quotes, batch_size=1000)
                Quote.countries.through.objects.bulk_create(
                    [
                        Quote.countries.through(quote_id=q.pk, country_id=c.code)
                        for q, (mentioned, _) in zip(quotes, links, strict=True)
                        for c in {c.code: c for c in mentioned}.values()
                    ],
                    batch_size=2000,
                )
                Quote.topics.through.objects.bulk_create(
                    [
                        Quote.topics.through(quote_id=q.pk, topic_id=t.pk)
                        for q, (_, on) in zip(quotes, links, strict=True)
                        for t in {t.pk: t for t in on}.values()
                    ],
                    batch_size=2000,
                )
            if self.verbosity > 1:
                self.stderr.write(f"  {min(first + chunk, n_articles)} / {n_articles} articles")

    def article_text(self, i, country, statements) -> tuple[str, list[dict]]:
        """An article body holding each statement, and each statement's offsets into it."""
        rng = self.rng
        title = f"{country.name}: {rng.choice(OPENINGS).lower()} {rng.choice(CUE_TOPICS)} ({i})"
        parts = [title, "\n\n"]
        length = len(title) + 2
        spans = []

        def add(text: str) -> tuple[int, int]:
            nonlocal length
            start = length
            parts.append(text)
            length += len(text)
            return start, length

        add(f"Officials met on {rng.choice(('Monday', 'Tuesday', 'Thursday'))} to discuss ")
        add(f"{rng.choice(CUE_TOPICS)} with {country.name}.\n\n")
        for speaker, mentioned, on in statements:
            place = mentioned[0].name if mentioned else country.name
            words = [rng.choice(TOPIC_WORDS[t.slug].split()) for t in on if t.slug in TOPIC_WORDS]
            text = (
                f"{rng.choice(OPENINGS)} {' and '.join(words) or rng.choice(CUE_TOPICS)} "
                f"{rng.choice(MIDDLES).format(country=place)}"
            )
            cue = rng.choice(CUES)
            who = speaker.name if speaker else "an official"
            if rng.random() < 0.6:
                add("\u201c")
                start, end = add(text)
                add(",\u201d ")
                mention = add(who)
                add(" ")
                cue_span = add(cue)
                kind = Quote.Kind.DIRECT
            else:
                mention = add(who)
                add(" ")
                cue_span = add(cue)
                add(" that ")
                start, end = add(text[0].lower() + text[1:])
                text = text[0].lower() + text[1:]
                kind = Quote.Kind.INDIRECT
            add(".\n\n")
            spans.append(
                {
                    "text": text,
                    "kind": kind,
                    "start": start,
                    "end": end,
                    "cue_text": cue,
                    "cue_start": cue_span[0],
                    "cue_end": cue_span[1],
                    "mention_text": who if speaker else "",
                    "mention_start": mention[0] if speaker else None,
                    "mention_end": mention[1] if speaker else None,
                }
            )
        add("The talks are expected to continue next week.\n")
        return "".join(parts), spans
