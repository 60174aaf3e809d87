"""Forms that turn query strings into validated filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from statements.models import Country, Quote, Topic
from statements.selectors import QuoteFilters

# Longest free text accepted in a filter; longer input is a 400, not a slow query.
MAX_TEXT = 200


def search_field(*, label: str, placeholder: str) -> forms.CharField:
    """A search box that searches as you type (static/js/browse.js finds it by class)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "js-search",
                "placeholder": placeholder,
                "autocomplete": "off",
            }
        ),
    )


class FastSelect(forms.Select):
    """A <select> whose options are written straight from its choices. Django renders
    every <option> through a template (~0.1 ms each), and even building their context
    dicts cost a statement list page more than all its queries: two country lists of
    250 options and a topic list on every page."""

    def render(self, name, value, attrs=None, renderer=None):
        if any(isinstance(label, (list, tuple)) for _, label in self.choices):
            return super().render(name, value, attrs, renderer)  # option groups
        selected = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(str(v))}"'
            f"{' selected' if str(v) in selected else ''}>{escape(str(label))}</option>"
            for v, label in ((("" if v is None else v), label) for v, label in self.choices)
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),  # noqa: S308 - each value and label escaped above
        )


class CountryCodeField(forms.ChoiceField):
    """An ISO alpha-2 code in any case ("tr" and "TR" are Turkey)."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class QuoteFilterForm(forms.Form):
    """The statement list's filters. Fields fixed by the page (the speaker on a speaker
    page) are left out of the form and given to `filters()` instead."""

    q = search_field(label="Words", placeholder="e.g. sanctions dialogue")
    speaker = forms.CharField(
        label="Speaker",
        required=False,
        max_length=MAX_TEXT,
        help_text="Type a name; pick a suggestion or press Filter.",
        widget=forms.TextInput(
            attrs={
                "class": "js-speaker-combobox",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": "speaker-suggestions",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "e.g. Stoltenberg",
            }
        ),
    )
    speaker_country = CountryCodeField(
        label="Speaker's country",
        required=False,
        widget=FastSelect(attrs={"class": "js-autosubmit"}),
    )
    country = CountryCodeField(
        label="Country mentioned",
        required=False,
        widget=FastSelect(attrs={"class": "js-autosubmit"}),
    )
    topic = forms.ChoiceField(
        label="Topic", required=False, widget=FastSelect(attrs={"class": "js-autosubmit"})
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any kind"), *Quote.Kind.choices],
        widget=FastSelect(attrs={"class": "js-autosubmit"}),
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "js-autosubmit"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "js-autosubmit"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        data,
        *,
        countries: Sequence[Country],
        topics: Sequence[Topic],
        fixed: Iterable[str] = (),
    ):
        super().__init__(data)
        for name in fixed:
            self.fields.pop(name, None)
        country_choices = [(c.code, c.name) for c in countries]
        for name, empty in (("speaker_country", "Any country"), ("country", "Any country")):
            if name in self.fields:
                self.fields[name].choices = [("", empty), *country_choices]
        if "topic" in self.fields:
            self.fields["topic"].choices = [("", "Any topic"), *((t.slug, t.name) for t in topics)]

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def show_speaker(self, speaker) -> None:
        """Show the speaker's name in the box, not the slug the URL carries; the slug goes
        in data attributes, for the script to send while the box still shows that name
        (without JavaScript the name is sent, which finds the same speaker)."""
        self.data = self.data.copy()
        self.data["speaker"] = speaker.name
        self.fields["speaker"].widget.attrs |= {
            "data-slug": speaker.slug,
            "data-name": speaker.name,
        }

    def filters(self, **fixed) -> QuoteFilters:
        """The validated filters, with the page's fixed ones on top."""
        values = {name: self.cleaned_data.get(name) for name in self.fields}
        values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        return QuoteFilters(**{k: v for k, v in values.items() if v}, **fixed)


class SpeakerSearchForm(forms.Form):
    q = search_field(label="Name", placeholder="e.g. erdogan, stoltenberg")
