"""The relations matrix's query string: the statement list's filters plus which countries
the matrix shows."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from statements.forms import QuoteFilterForm
from statements.models import Country, Topic
from statements.selectors import QuoteFilters

SIZES = (10, 15, 25, 40)
DEFAULT_SIZE = 15
MAX_CHOSEN = 60


class CountryListWidget(forms.SelectMultiple):
    """A multiple <select> that also reads "US,TR" (the form the page's own links use),
    with its options joined in Python (see FastSelect)."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        if isinstance(values, str):
            values = [values]
        return [code.strip() for value in values for code in value.split(",") if code.strip()]

    def render(self, name, value, attrs=None, renderer=None):
        # Straight from the choices: Django's option dicts cost ~3 ms per 250 countries.
        chosen = {str(v) for v in value or ()}
        options = "\n".join(
            f'<option value="{escape(code)}"{" selected" if str(code) in chosen else ""}>'
            f"{escape(label)}</option>"
            for code, label in self.choices
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}" multiple{}>{}</select>',
            name,
            flatatt(final_attrs),
            mark_safe(options),  # noqa: S308 - each value and label escaped above
        )


class CountryListField(forms.MultipleChoiceField):
    widget = CountryListWidget

    def to_python(self, value):
        return [code.upper() for code in super().to_python(value)]

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_CHOSEN:
            raise forms.ValidationError(f"Choose at most {MAX_CHOSEN} countries.")


# The matrix's own fields; the rest are the list's filters.
MATRIX_FIELDS = ("rows", "cols", "size")


class RelationsForm(QuoteFilterForm):
    """Filters by words, topic, kind and dates (the speaker and the two countries are the
    matrix's axes), and the countries to show: the busiest unless chosen."""

    rows = CountryListField(
        label="Rows: speakers from",
        required=False,
        widget=CountryListWidget(attrs={"size": 4}),
    )
    cols = CountryListField(
        label="Columns: about",
        required=False,
        widget=CountryListWidget(attrs={"size": 4}),
    )
    size = forms.TypedChoiceField(
        label="Countries shown",
        required=False,
        coerce=int,
        empty_value=DEFAULT_SIZE,
        choices=[(n, f"Busiest {n}") for n in SIZES],
    )

    def __init__(self, data, *, countries: Sequence[Country], topics: Sequence[Topic]):
        if not data.get("size"):  # the default shows as chosen
            data = data.copy()
            data["size"] = str(DEFAULT_SIZE)
        super().__init__(
            data,
            countries=countries,
            topics=topics,
            fixed=("speaker", "speaker_country", "country"),
        )
        choices = [(c.code, c.name) for c in countries]
        self.fields["rows"].choices = choices
        self.fields["cols"].choices = choices
        self.fields["size"].widget.attrs["class"] = "js-autosubmit"

    def filters(self, **fixed) -> QuoteFilters:
        values = {name: self.cleaned_data.get(name) for name in self.fields}
        values = {
            k: v.strip() if isinstance(v, str) else v
            for k, v in values.items()
            if k not in MATRIX_FIELDS
        }
        return QuoteFilters(**{k: v for k, v in values.items() if v}, **fixed)

    def matrix_params(self) -> dict[str, str]:
        """The matrix fields that are set, as the page's own links write them."""
        data = self.cleaned_data
        params = {name: ",".join(data[name]) for name in ("rows", "cols") if data.get(name)}
        if data.get("size") and data["size"] != DEFAULT_SIZE:
            params["size"] = str(data["size"])
        return params
