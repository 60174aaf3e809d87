"""Countries: ISO codes and names from pycountry, plus our aliases (demonyms, capitals...)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pycountry

from .lexicon import load_data


@dataclass(frozen=True)
class CountryInfo:
    code: str  # ISO 3166-1 alpha-2
    name: str  # display name (pycountry common_name, else name)
    aliases: tuple[str, ...]  # other surface forms: pycountry names + our alias file


@cache
def country_table() -> dict[str, CountryInfo]:
    """ISO alpha-2 code -> CountryInfo, built from pycountry and data/country_aliases.json."""
    extra = load_data("country_aliases.json")
    table: dict[str, CountryInfo] = {}
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        if "," in name:  # "Congo, The Democratic Republic of the": our first form reads better
            name = (extra.get(c.alpha_2) or [getattr(c, "official_name", None) or name])[0]
        forms = [c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)]
        forms += extra.get(c.alpha_2, [])
        aliases: list[str] = []
        for form in forms:
            if form and form != name and form not in aliases:
                aliases.append(form)
        table[c.alpha_2] = CountryInfo(c.alpha_2, name, tuple(aliases))
    for code, forms in extra.items():
        # Codes pycountry does not list (e.g. user-assigned XK for Kosovo) keep their first alias.
        if code.startswith("_") or code in table:
            continue
        table[code] = CountryInfo(code, forms[0], tuple(forms[1:]))
    return table


def iter_countries() -> Iterator[tuple[str, str, list[str]]]:
    """(code, name, aliases) for every country; what the Django side loads into Country."""
    for info in country_table().values():
        yield info.code, info.name, list(info.aliases)


@cache
def surface_index() -> dict[str, str]:
    """Exact surface form (case kept) -> ISO code. Forms with a comma ("Korea, Republic of")
    are left out: they never occur in running text."""
    index: dict[str, str] = {}
    for info in country_table().values():
        for form in (info.name, *info.aliases):
            if form == info.name and "," in form:
                continue
            if "," in form:
                continue
            index.setdefault(form, info.code)
            if form.startswith("the ") or form.startswith("The "):
                index.setdefault(form[4:], info.code)
    return index


def country_name(code: str) -> str:
    info = country_table().get(code)
    return info.name if info else code


@cache
def not_countries() -> tuple[str, ...]:
    """Names that hold a country's name but are not the country ("New Mexico", "Gulf of
    Guinea"): matched so that the country inside them is not."""
    return tuple(load_data("country_aliases.json").get("_not_countries", []))


def longest_first(mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep, of overlapping (start, end, code) mentions, the longest ("Equatorial Guinea",
    not also "Guinea"); mentions with an empty code (not a country) are dropped after they
    have hidden what they cover. Sorted by position."""
    kept: list[tuple[int, int, str]] = []
    for start, end, code in sorted(mentions, key=lambda m: (m[0] - m[1], m[0])):
        if all(end <= s or e <= start for s, e, _ in kept):
            kept.append((start, end, code))
    return sorted(m for m in kept if m[2])
