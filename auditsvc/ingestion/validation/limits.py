"""What a valid request body may hold: the one source of the patterns and limits.

The validators (``fields``, ``bodies``) check with these, and the OpenAPI
schema (``auditsvc.ingestion.openapi``) is written from them, so the schema
says exactly what the server enforces. Patterns are written for both Python's
``re`` and JSON Schema's ECMA-262 regular expressions (plain ASCII classes
only); the validators match them whole (``fullmatch``), the schema anchors them.
"""

from __future__ import annotations

import json
import re

from django.conf import settings

from auditsvc.base.api import problems
from auditsvc.base.identities import PROVINCE_CODES, SCHEMES
from partners.choices import DataField, Purpose

from ..models import AccountEvent, EnrolmentSession

# Client ids: 1-100 printable ASCII characters without spaces (UUIDs, "s-1", "2026/11/23#17").
CLIENT_ID_MAX = 100
CLIENT_ID_PATTERN = rf"[\x21-\x7e]{{1,{CLIENT_ID_MAX}}}"
CLIENT_ID_HELP = "1 to 100 printable ASCII characters without spaces"

# Agent codes as partners.models.Agent accepts them (at most 32 characters).
AGENT_MAX = 32
AGENT_PATTERN = rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{AGENT_MAX - 1}}}"
AGENT_HELP = "an agent code: letters, digits, '.', '_' or '-', at most 32 characters"

# Opaque identifiers kept only as pseudonyms (device, account) and the consent reference.
TEXT_MAX = 200
# The consent reference is stored and signed as sent: printable ASCII only, so
# no look-alike digits or invisible characters can hide a personal number.
CONSENT_PATTERN = rf"[\x20-\x7e]{{0,{TEXT_MAX}}}"
CONSENT_HELP = "printable ASCII characters (space to ~), at most 200"

# Opaque identifiers must hold something besides white space (searched, not matched whole).
NOT_BLANK_PATTERN = r"\S"

# Phone numbers: 5 to 15 digits after an optional + (or 00), with spaces, dashes,
# dots or brackets anywhere (what identities.normalise_phone reads).
PHONE_MIN = 5
PHONE_MAX = 64
_PHONE_SEPARATORS = r"[\s().-]*"
_PHONE_DIGITS = rf"(?:[0-9]{_PHONE_SEPARATORS}){{5,15}}"
PHONE_PATTERN = (
    rf"{_PHONE_SEPARATORS}(?:\+{_PHONE_SEPARATORS}{_PHONE_DIGITS}"  # +86 138 ...
    rf"|0{_PHONE_SEPARATORS}0{_PHONE_SEPARATORS}{_PHONE_DIGITS}"  # 0086 138 ... (00 is +)
    rf"|(?!0{_PHONE_SEPARATORS}0){_PHONE_DIGITS})"  # 138 ..., 010-1234 ...
)

# A resident identity number as sent (GB 11643-1999; a lower-case x is accepted).
RESIDENT_ID_PATTERN = r"[0-9]{17}[0-9Xx]"
# A 6-digit administrative division code whose first two digits name a province.
REGION_PATTERN = "(?:" + "|".join(sorted(PROVINCE_CODES)) + ")[0-9]{4}"
# A session id exactly as POST /sessions returns it (hyphenated UUID).
SESSION_ID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# RFC 3339 date-time (section 5.6): the offset is required; "t", "z" and a space
# instead of "T" are allowed, as the RFC's notes permit.
DATETIME_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
DATETIME_MAX = 35  # 2026-11-23T09:30:00.123456789+08:00

SCHEME_CHOICES = SCHEMES
PURPOSES = tuple(Purpose.values)
DATA_FIELDS = tuple(DataField.values)
# A repeated field is dropped, but the list is no longer than the field names.
FIELDS_MAX = len(DATA_FIELDS)
ACTIONS = tuple(AccountEvent.Action.values)
CHANNELS = tuple(AccountEvent.Channel.values)
OUTCOMES = tuple(EnrolmentSession.Outcome.values)

# At most this many field errors are listed in a 400 (with the total count): the
# problem handler's cap, which validation also keeps to so as not to hold the rest.
MAX_ERRORS_LISTED = problems.MAX_ERRORS_LISTED

# Keys of each body and record (anything else is ``unknown_field``).
SESSION_OPEN_KEYS = frozenset(
    {
        "client_session_id",
        "agent",
        "resident",
        "purpose",
        "region_code",
        "device",
        "opened_at",
        "consent_ref",
    }
)
SESSION_CLOSE_KEYS = frozenset({"closed_at", "outcome"})
BATCH_KEYS = frozenset({"events"})
RESIDENT_KEYS = frozenset({"scheme", "value"})
ACCESS_KEYS = frozenset(
    {
        "client_event_id",
        "session",
        "agent",
        "resident",
        "fields",
        "purpose",
        "occurred_at",
        "device",
    }
)
ACCOUNT_KEYS = frozenset(
    {
        "client_event_id",
        "holder",
        "action",
        "account",
        "occurred_at",
        "device",
        "phone",
        "channel",
    }
)


def compiled(pattern: str) -> re.Pattern:
    """The pattern compiled for ``fullmatch`` (ASCII classes: ``[0-9]`` is not ``\\d``)."""
    return re.compile(pattern)


def max_batch() -> int:
    """Records per batch (``AUDITSVC_MAX_BATCH``)."""
    return settings.AUDITSVC_MAX_BATCH


# --- The largest valid body ---------------------------------------------------------


def _longest(choices) -> str:
    return max(choices, key=len)


def _worst_text(length: int) -> str:
    # A character outside the Basic Multilingual Plane: 12 bytes as \ud83d\ude00,
    # the longest any JSON encoder writes a character that counts as one.
    return "\U0001f600" * length


def _worst_client_id() -> str:
    # '"' is written \" : two bytes each.
    return '"' * CLIENT_ID_MAX


def _worst_time() -> str:
    return "2026-11-23T09:30:00.123456789+08:00"


def worst_access_event() -> dict:
    """The access event whose JSON is longest, within every limit above."""
    return {
        "client_event_id": _worst_client_id(),
        "session": "0b6f3f0e-6a55-4d8e-9d55-2d7f3f1c9a10",
        "agent": "A" * AGENT_MAX,
        "resident": {"scheme": _longest(SCHEMES), "value": "11010519491231002X"},
        "fields": [_longest(DATA_FIELDS)] * FIELDS_MAX,
        "purpose": _longest(PURPOSES),
        "occurred_at": _worst_time(),
        "device": _worst_text(TEXT_MAX),
    }


def worst_account_event() -> dict:
    """The account event whose JSON is longest, within every limit above."""
    return {
        "client_event_id": _worst_client_id(),
        "holder": {"scheme": _longest(SCHEMES), "value": "11010519491231002X"},
        "action": _longest(ACTIONS),
        "account": _worst_text(TEXT_MAX),
        "occurred_at": _worst_time(),
        "device": _worst_text(TEXT_MAX),
        # Spaces that are not ASCII (U+3000) between the digits: 6 bytes each.
        "phone": "+" + "\u3000".join("8613800000000") + "\u3000" * (PHONE_MAX - 26),
        "channel": _longest(CHANNELS),
    }


def largest_batch_bytes(records: int | None = None) -> int:
    """Bytes of the largest valid batch as ordinary JSON encoders write it.

    ``json.dumps`` with its defaults (non-ASCII escaped as \\uXXXX) and an
    indent of 2, the most a partner's library plausibly produces; more
    whitespace than that is the sender's choice, not a valid batch's need.
    """
    records = records or max_batch()
    largest = max(worst_access_event(), worst_account_event(), key=lambda r: len(json.dumps(r)))
    return len(json.dumps({"events": [largest] * records}, indent=2).encode())
