"""The filter form's fast <select> writes what Django's own Select would."""

from __future__ import annotations

import re

from django import forms

from statements.forms import FastSelect

CHOICES = [("", "Any"), ("TR", "Türkiye"), ("US", 'A "quoted" <name> & more')]
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(v, bool(s), label) for v, s, label in OPTION.findall(html)]


def test_fast_select_matches_djangos_select():
    for value in ("", "US", None):
        attrs = {"id": "id_country", "class": "js-autosubmit"}
        fast = FastSelect(choices=CHOICES).render("country", value, attrs)
        slow = forms.Select(choices=CHOICES).render("country", value, attrs)
        assert options(fast) == options(slow) and len(options(fast)) == 3
        opening = fast[: fast.index(">") + 1]
        assert opening.startswith('<select name="country"')
        assert 'id="id_country"' in opening and 'class="js-autosubmit"' in opening
    assert "&lt;name&gt; &amp; more" in FastSelect(choices=CHOICES).render("c", "", {})
