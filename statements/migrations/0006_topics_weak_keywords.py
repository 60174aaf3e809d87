"""Topics get weak terms (words that tag a statement only with support).

Default topics nobody edited (their terms still those shipped before) take the new
lexicons; topics staff changed keep their terms. New default topics are added.
"""

from django.db import migrations, models

# The default terms shipped before this migration, to recognise unedited topics.
PREVIOUS_DEFAULTS = {
    "defence-and-arms": [
        "defence",
        "defense",
        "military",
        "army",
        "missile",
        "weapon",
        "arms",
        "troops",
        "soldier",
        "air defense system",
        "fighter jet",
        "navy",
        "deterrence",
        "alliance",
        "warship",
        "drone",
    ],
    "sanctions": ["sanction", "embargo", "asset freeze", "blacklist", "export control", "penalty"],
    "terrorism": [
        "terrorism",
        "terrorist",
        "terror",
        "extremist",
        "militant",
        "jihadist",
        "insurgent",
        "suicide bombing",
        "radicalization",
    ],
    "armed-conflict": [
        "war",
        "conflict",
        "ceasefire",
        "cease-fire",
        "invasion",
        "offensive",
        "airstrike",
        "shelling",
        "attack",
        "fighting",
        "casualty",
        "occupation",
        "coup",
    ],
    "trade": [
        "trade",
        "tariff",
        "export",
        "import",
        "economy",
        "economic",
        "investment",
        "market",
        "tax",
        "budget",
        "inflation",
        "jobs",
        "growth",
        "debt",
    ],
    "energy": [
        "energy",
        "oil",
        "gas",
        "pipeline",
        "electricity",
        "power plant",
        "fuel",
        "renewable",
        "coal",
        "LNG",
    ],
    "human-rights": [
        "human rights",
        "freedom",
        "torture",
        "detention",
        "press freedom",
        "civil liberties",
        "discrimination",
        "persecution",
        "civil rights",
        "free speech",
    ],
    "migration": [
        "migrant",
        "migration",
        "refugee",
        "asylum",
        "immigration",
        "immigrant",
        "border",
        "deportation",
        "displaced",
    ],
    "nuclear": [
        "nuclear",
        "uranium",
        "enrichment",
        "non-proliferation",
        "warhead",
        "atomic",
        "IAEA",
    ],
    "cyber": [
        "cyber",
        "cyberattack",
        "cyber attack",
        "hacker",
        "hack",
        "cybersecurity",
        "disinformation",
        "email server",
        "artificial intelligence",
        "surveillance",
    ],
    "elections": [
        "election",
        "vote",
        "voter",
        "ballot",
        "campaign",
        "candidate",
        "poll",
        "referendum",
        "nominee",
        "debate",
        "presidential race",
        "primary",
    ],
    "climate": [
        "climate",
        "climate change",
        "emission",
        "global warming",
        "environment",
        "carbon",
        "pollution",
        "Paris agreement",
    ],
    "health": [
        "health",
        "pandemic",
        "virus",
        "vaccine",
        "disease",
        "hospital",
        "epidemic",
        "health care",
        "healthcare",
        "medical",
        "outbreak",
    ],
    "diplomacy": [
        "dialogue",
        "diplomacy",
        "diplomatic",
        "negotiation",
        "talks",
        "summit",
        "treaty",
        "agreement",
        "ally",
        "ambassador",
        "foreign minister",
        "cooperation",
        "partnership",
        "mediation",
    ],
    "security": [
        "security",
        "intelligence",
        "espionage",
        "spy",
        "threat",
        "police",
        "surveillance",
    ],
    "justice": [
        "court",
        "law",
        "lawsuit",
        "judge",
        "trial",
        "investigation",
        "prosecutor",
        "indictment",
        "justice",
        "crime",
        "corruption",
        "FBI",
    ],
    "humanitarian": [
        "humanitarian",
        "aid",
        "famine",
        "relief",
        "food security",
        "civilians",
        "humanitarian corridor",
    ],
    "chemical-weapons": [
        "chemical weapon",
        "chemical weapons",
        "nerve agent",
        "biological weapon",
        "sarin",
        "chlorine attack",
    ],
}


def refresh_defaults(apps, schema_editor):
    from statements import nlp

    Topic = apps.get_model("statements", "Topic")
    for rule in nlp.default_topics():
        topic = Topic.objects.filter(slug=rule.slug).first()
        if topic is None:
            Topic.objects.create(
                slug=rule.slug, name=rule.name, keywords=rule.keywords, weak_keywords=rule.weak
            )
        elif topic.keywords in (PREVIOUS_DEFAULTS.get(rule.slug), rule.keywords):
            topic.name, topic.keywords, topic.weak_keywords = rule.name, rule.keywords, rule.weak
            topic.save(update_fields=["name", "keywords", "weak_keywords"])


class Migration(migrations.Migration):
    dependencies = [("statements", "0005_page_indexes")]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="weak_keywords",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(refresh_defaults, migrations.RunPython.noop),
    ]
