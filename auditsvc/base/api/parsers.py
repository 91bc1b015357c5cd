"""Request parsing for the API."""

from __future__ import annotations

import orjson
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """JSON via orjson: several times faster on 1,000-record batches.

    Refuses what RFC 8259 refuses (NaN, Infinity, duplicate-free semantics are
    orjson's: the last key wins, as in the standard library).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
