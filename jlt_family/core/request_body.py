"""请求体上限: a body over ``MAX_CONTENT_LENGTH`` answers 413 ``payload_too_large``, with or without a length.

With a ``Content-Length`` Werkzeug refuses the body before reading it. A chunked body (``Transfer-Encoding:
chunked``, no length) is read from a stream the server terminates (``wsgi.input_terminated``); Werkzeug wraps it
in a ``LimitedStream`` whose ``readall`` stops at the limit without a word, so the body is cut there and the JSON
parser sees a truncated document (400 ``malformed_json``; a form would lose its tail). Here such a body is read
whole, counted, and refused with 413 as soon as it passes the limit; one within the limit is kept in memory (at
most the limit, as ``get_data`` keeps it anyway) and parsed as before.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.utils import cached_property

_READ_SIZE = 64 * 1024


class BoundedRequest(Request):
    """A request whose body without a length is bounded by ``MAX_CONTENT_LENGTH`` as one with a length is."""

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        if limit is None or self.content_length is not None or "wsgi.input_terminated" not in self.environ:
            return super().stream
        return io.BytesIO(read_bounded(self.environ["wsgi.input"], limit))


def read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """The whole of ``stream``, or 413 as soon as it holds more than ``limit`` bytes (400 if the client went
    away, or the chunked encoding is broken)."""
    parts: list[bytes] = []
    total = 0
    while True:
        try:
            part = stream.read(_READ_SIZE)
        except (OSError, ValueError) as exc:
            raise ClientDisconnected() from exc
        if not part:
            return b"".join(parts)
        total += len(part)
        if total > limit:
            raise RequestEntityTooLarge()
        parts.append(part)
