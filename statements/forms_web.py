"""Form fields for web addresses: a list of article URLs pasted by staff, a feed URL."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URLS = 100
_validate = URLValidator(schemes=["http", "https"])


class UrlListField(forms.CharField):
    """One web address per line (blank lines ignored); every bad line is named."""

    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "https://…"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Or web addresses")
        kwargs.setdefault(
            "help_text",
            f"One article URL per line, up to {MAX_URLS}; each page is fetched and stored "
            "by the background worker.",
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        lines = [line.strip() for line in (value or "").splitlines()]
        return [line for line in lines if line]

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_URLS:
            raise ValidationError(f"At most {MAX_URLS} addresses at once ({len(value)} given).")
        bad = []
        for url in value:
            try:
                _validate(url)
            except ValidationError:
                bad.append(url)
            else:
                if len(url) > 1000:
                    bad.append(url[:60] + "…")
        if bad:
            raise ValidationError(
                "Not a web address (http:// or https://): "
                + ", ".join(bad[:5])
                + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            )

    def run_validators(self, value):
        pass  # validate() checks each line


class UrlImportForm(forms.Form):
    urls = UrlListField(required=True, label="Web addresses")
