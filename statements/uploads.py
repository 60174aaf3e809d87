"""Receiving uploaded article files: in memory, bounded, never written to disk."""

from __future__ import annotations

from io import BytesIO
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keep each uploaded file in memory, up to one byte over the article size limit.

    Django's default handlers spill large uploads to a temporary file; articles are small,
    and we never want uploaded bytes on disk. Bytes past the limit are read and dropped, and
    the file's `size` stays the size that was sent, so the form can say "too large (N
    bytes)" instead of failing on a truncated file.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.keep = settings.NEWSROOM_MAX_ARTICLE_BYTES + 1
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        room = self.keep - self.file.tell()
        if room > 0:
            self.file.write(raw_data[:room])
        return None  # consumed: no other handler sees the bytes

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def display_name(name: str | None) -> str:
    """The last part of an uploaded file's name, for messages only (never a path we use)."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    return "".join(ch for ch in name if ch.isprintable()).strip() or "(unnamed file)"
