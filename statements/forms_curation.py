"""Forms for staff curation: uploading articles and correcting statements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from statements.forms_web import UrlListField
from statements.textio import ARTICLE_SUFFIXES, ArticleText, BadArticle, read_article
from statements.uploads import display_name

ACCEPT = ",".join(ARTICLE_SUFFIXES)


@dataclass(frozen=True, slots=True)
class UploadItem:
    name: str  # for display: a base name, or "pasted text"
    text: ArticleText


@dataclass(frozen=True, slots=True)
class Rejection:
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each file is checked by the form, one by one, so that
    one bad file is reported by name without hiding the good ones."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


def read_upload(*, name: str, data: bytes, size: int, title: str = "") -> ArticleText:
    """Validate one uploaded file the way `ingest` does, with the size as sent (the
    upload handler keeps only the first bytes past the limit)."""
    max_bytes = settings.NEWSROOM_MAX_ARTICLE_BYTES
    # A wrong-type file is reported as such whatever its size (read_article checks that).
    if size > max_bytes and PurePath(name).suffix.lower() in ARTICLE_SUFFIXES:
        raise BadArticle(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
    return read_article(name=name, data=data, max_bytes=max_bytes, title=title)


def read_pasted(*, text: str, title: str = "") -> ArticleText:
    """Validate pasted text the way `ingest` validates a .txt file (browsers send CRLF)."""
    return read_article(
        name="pasted.txt",
        data=text.replace("\r\n", "\n").encode("utf-8"),
        max_bytes=settings.NEWSROOM_MAX_ARTICLE_BYTES,
        title=title,
    )


class ArticleUploadForm(forms.Form):
    """One or many files, and/or pasted text; the details apply to what is uploaded."""

    files = MultipleFileField(
        required=False,
        label="Files",
        help_text="One or many .txt, .md or .html files.",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label="Or paste the text",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="The first line becomes the title unless you give one.",
    )
    urls = UrlListField()
    title = forms.CharField(required=False, max_length=500)
    source_name = forms.CharField(required=False, max_length=200, label="Source")
    url = forms.URLField(required=False, max_length=1000, label="URL", assume_scheme="https")
    published = forms.DateField(
        required=False,
        label="Publication date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        max_bytes = settings.NEWSROOM_MAX_ARTICLE_BYTES
        max_files = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        self.fields["files"].help_text += (
            f" Up to {max_files} files at once, {max_bytes:,} bytes each."
            if max_files
            else f" Up to {max_bytes:,} bytes each."
        )
        self.accepted: list[UploadItem] = []
        self.rejected: list[Rejection] = []

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        pasted = (cleaned.get("text") or "").replace("\r\n", "\n")
        title = cleaned.get("title", "")
        urls = cleaned.get("urls") or []
        if not files and not pasted.strip():
            if self.errors or urls:
                return cleaned
            raise ValidationError(
                "Choose one or more files, or paste the text of an article, or give web addresses."
            )
        count = len(files) + bool(pasted.strip())
        if count > 1 and (title or cleaned.get("url")):
            raise ValidationError(
                "A title or URL describes one article: upload files one at a time to set them."
            )

        for upload in files:
            name = display_name(upload.name)
            try:
                article = read_upload(name=name, data=upload.read(), size=upload.size, title=title)
            except BadArticle as exc:
                self.rejected.append(Rejection(name, str(exc)))
            else:
                self.accepted.append(UploadItem(name, article))
        if pasted.strip():
            try:
                article = read_pasted(text=pasted, title=title)
            except BadArticle as exc:
                self.add_error("text", f"Pasted text: {exc}.")
            else:
                self.accepted.append(UploadItem("pasted text", article))

        if not self.accepted and self.rejected:
            # Nothing to store: say why for each file, and keep what was typed.
            raise ValidationError([str(r) for r in self.rejected])
        return cleaned
