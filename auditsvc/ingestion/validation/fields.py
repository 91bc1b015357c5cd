"""Checks of single fields: each returns the valid value or None after recording why not.

Absent and null are the same (``required``). Field paths (``events[3].agent``)
are built only when there is an error to report, so valid records never pay
for them. No message quotes the submitted value.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from auditsvc.base.errors import ValidationFailed
from auditsvc.base.identities import (
    SCHEMES,
    Identity,
    IdentityError,
    contains_personal_number,
    resident_identity,
)

from .limits import (
    DATA_FIELDS,
    DATETIME_PATTERN,
    FIELDS_MAX,
    MAX_ERRORS_LISTED,
    REGION_PATTERN,
    RESIDENT_ID_PATTERN,
    RESIDENT_KEYS,
    SESSION_ID_PATTERN,
    TEXT_MAX,
    compiled,
)

_DATA_FIELDS = frozenset(DATA_FIELDS)
_DATETIME_RE = compiled(DATETIME_PATTERN)
_RESIDENT_ID_RE = compiled(RESIDENT_ID_PATTERN)
_REGION_RE = compiled(REGION_PATTERN)
_SESSION_ID_RE = compiled(SESSION_ID_PATTERN)
_EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Errors(list):
    """The errors of one body, in the order found: the first MAX_ERRORS_LISTED, and a count.

    A body with hundreds of thousands of unknown keys must not turn into an
    answer of tens of megabytes: past the limit errors are only counted.
    """

    total = 0

    def add(self, field: str, code: str, message: str) -> None:
        self.total += 1
        if len(self) < MAX_ERRORS_LISTED:
            self.append({"field": field, "code": code, "message": message})

    def failure(self) -> ValidationFailed:
        """The ValidationFailed to raise: the errors listed, the total counted."""
        return ValidationFailed(list(self), total=self.total)


def _join(prefix: str, name: str) -> str:
    # Only called to name a field in an error: valid records never build paths.
    return f"{prefix}.{name}" if prefix else name


# --- Times ------------------------------------------------------------------------


def parse_datetime(value: str) -> dt.datetime | None:
    """Parse an RFC 3339 date-time with an offset into an aware UTC datetime.

    Returns None when ``value`` is not one (no offset, impossible date, leap
    second, offset beyond 23:59, before 1970, beyond the year 9999 in UTC).
    Fractions beyond microseconds are truncated.
    """
    if _DATETIME_RE.fullmatch(value) is None:
        return None
    # The pattern admits only RFC 3339, which fromisoformat (C, fast) reads
    # once "t" and "z" are upper case.
    try:
        moment = dt.datetime.fromisoformat(value.upper())
        if moment.tzinfo is not dt.UTC:
            # 9999-12-31T23:59:59-23:59 is past the year 9999 in UTC: OverflowError.
            moment = moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    if moment < _EARLIEST:
        return None
    return moment


def time_value(
    obj: dict, name: str, prefix: str, errors: Errors, latest: dt.datetime
) -> dt.datetime | None:
    """``obj[name]`` as an RFC 3339 time (UTC), at most ``latest``."""
    value = obj.get(name)
    if type(value) is str:
        moment = parse_datetime(value)
        if moment is not None and moment <= latest:
            return moment
    if value is None:
        errors.add(_join(prefix, name), "required", "This field is required.")
    elif type(value) is not str:
        errors.add(_join(prefix, name), "invalid_type", "Must be a string (RFC 3339 date-time).")
    elif moment is None:
        errors.add(
            _join(prefix, name),
            "invalid_datetime",
            "Must be an RFC 3339 date-time with an offset after 1970, "
            "e.g. 2026-11-23T09:30:00+08:00.",
        )
    else:
        errors.add(
            _join(prefix, name),
            "in_future",
            f"Must not be more than {settings.AUDITSVC_MAX_CLOCK_SKEW_SECONDS} seconds "
            "ahead of the service's clock.",
        )
    return None


def latest_allowed() -> dt.datetime:
    """The latest time a record may carry: now plus the allowed clock skew."""
    return timezone.now() + dt.timedelta(seconds=settings.AUDITSVC_MAX_CLOCK_SKEW_SECONDS)


# --- Fields ---------------------------------------------------------------------------


WITHHELD_KEY = "(withheld)"


def unknown_keys(obj: dict, allowed: frozenset[str], prefix: str, errors: Errors) -> None:
    """Record an ``unknown_field`` error for each key of ``obj`` not in ``allowed``.

    The key is named in the error (its first 64 characters), unless it holds
    something that looks like a resident or phone number: an answer must not
    repeat a personal number, wherever in the body it was sent.
    """
    extra = obj.keys() - allowed
    message = f"Unknown field; allowed: {', '.join(sorted(allowed))}."
    for key in sorted(map(str, extra)):
        if contains_personal_number(key):
            errors.add(
                _join(prefix, WITHHELD_KEY),
                "unknown_field",
                "Unknown field; its name is not repeated because it looks like a resident "
                f"identity number or a phone number. Allowed: {', '.join(sorted(allowed))}.",
            )
        else:
            errors.add(_join(prefix, key[:64]), "unknown_field", message)


def string_value(
    obj: dict, name: str, prefix: str, errors: Errors, pattern: re.Pattern, what: str
) -> str | None:
    """``obj[name]`` as a string that ``pattern`` matches whole (``what`` describes it)."""
    value = obj.get(name)
    if type(value) is str and pattern.fullmatch(value) is not None:
        return value
    if value is None:
        errors.add(_join(prefix, name), "required", "This field is required.")
    elif type(value) is not str:
        errors.add(_join(prefix, name), "invalid_type", "Must be a string.")
    else:
        errors.add(_join(prefix, name), "invalid_format", f"Must be {what}.")
    return None


PERSONAL_DATA_CODE = "personal_data_in_free_text"


def no_personal_number(value: str | None, prefix: str, name: str, errors: Errors) -> str | None:
    """``value`` unless it holds a resident or mobile number (then None and an error).

    Free text is stored and signed as sent, so a raw number in it would stay in
    the permanent ledger. The message names the field, never the value.
    """
    if value is None or not contains_personal_number(value):
        return value
    errors.add(
        _join(prefix, name),
        PERSONAL_DATA_CODE,
        "Must not contain a resident identity number or a phone number; "
        "use your own reference instead.",
    )
    return None


def choice_value(
    obj: dict, name: str, prefix: str, errors: Errors, choices: frozenset[str]
) -> str | None:
    """``obj[name]`` as one of ``choices``."""
    value = obj.get(name)
    if type(value) is str and value in choices:
        return value
    if value is None:
        errors.add(_join(prefix, name), "required", "This field is required.")
    elif type(value) is not str:
        errors.add(_join(prefix, name), "invalid_type", "Must be a string.")
    else:
        errors.add(
            _join(prefix, name), "invalid_choice", f"Must be one of: {', '.join(sorted(choices))}."
        )
    return None


def resident_value(obj: dict, name: str, prefix: str, errors: Errors) -> Identity | None:
    """A resident identity object ``{"scheme", "value"}``; the value is never echoed."""
    value = obj.get(name)
    if type(value) is not dict:
        if value is None:
            errors.add(_join(prefix, name), "required", "This field is required.")
        else:
            errors.add(
                _join(prefix, name),
                "invalid_type",
                'Must be an object {"scheme": ..., "value": ...}.',
            )
        return None
    if len(value) != 2 or value.keys() != RESIDENT_KEYS:
        unknown_keys(value, RESIDENT_KEYS, _join(prefix, name), errors)
    scheme = value.get("scheme")
    number = value.get("value")
    if scheme not in SCHEMES:
        field = f"{_join(prefix, name)}.scheme"
        if scheme is None:
            errors.add(field, "required", "This field is required.")
        elif type(scheme) is not str:
            errors.add(field, "invalid_type", "Must be a string.")
        else:
            errors.add(field, "unknown_scheme", f"Scheme must be one of: {', '.join(SCHEMES)}.")
        scheme = None
    if number is None:
        errors.add(f"{_join(prefix, name)}.value", "required", "This field is required.")
        return None
    if scheme is None:
        return None
    if type(number) is str and _RESIDENT_ID_RE.fullmatch(number) is None:
        # Exactly the 18 characters: no spaces around them (the schema's pattern).
        errors.add(
            f"{_join(prefix, name)}.value",
            "invalid_format",
            "Must be 17 digits followed by a digit or X (18 characters).",
        )
        return None
    try:
        return resident_identity(scheme, number)
    except IdentityError as exc:
        # IdentityError messages never contain the value (auditsvc.identities).
        errors.add(f"{_join(prefix, name)}.value", exc.code, in_english(exc.message))
        return None


def in_english(message) -> str:
    """An identity error's message as the API gives every field message: in English.

    The admin's forms show the same messages in the reader's language; the
    API's field messages are for partners' developers, and only their codes
    are a contract (the problem's title and detail follow Accept-Language).
    """
    with translation.override("en"):
        return str(message)


def pseudonymised_value(
    obj: dict, name: str, prefix: str, errors: Errors, make_ref, max_length: int = TEXT_MAX
) -> str | None:
    """A device, phone or account id, returned as its keyed pseudonym ``make_ref(value)``."""
    value = obj.get(name)
    if type(value) is str and len(value) > max_length:
        errors.add(
            _join(prefix, name), "invalid_format", f"Must be at most {max_length} characters."
        )
        return None
    if type(value) is str:
        try:
            return make_ref(value)
        except IdentityError as exc:
            errors.add(_join(prefix, name), exc.code, in_english(exc.message))
            return None
    if value is None:
        errors.add(_join(prefix, name), "required", "This field is required.")
    else:
        errors.add(_join(prefix, name), "invalid_type", "Must be a string.")
    return None


def memoised(make_ref):
    """``make_ref`` remembering its answers for one body: a batch often has one device."""
    refs: dict[str, str] = {}

    def ref(value: str) -> str:
        found = refs.get(value)
        if found is None:
            found = refs[value] = make_ref(value)
        return found

    return ref


def region_value(obj: dict, name: str, prefix: str, errors: Errors) -> str | None:
    """``obj[name]`` as a 6-digit administrative division code."""
    value = obj.get(name)
    if type(value) is str and _REGION_RE.fullmatch(value) is not None:
        return value
    if value is None:
        errors.add(_join(prefix, name), "required", "This field is required.")
    elif type(value) is not str:
        errors.add(_join(prefix, name), "invalid_type", "Must be a string.")
    else:
        errors.add(
            _join(prefix, name),
            "invalid_region_code",
            "Must be a 6-digit administrative division code (GB/T 2260), e.g. 411381.",
        )
    return None


def fields_value(obj: dict, prefix: str, errors: Errors) -> list[str] | None:
    """``obj["fields"]``: a non-empty list of data fields, repeats dropped."""
    value = obj.get("fields")
    # Every item is type-checked before the set test: a list or an object in
    # the list is unhashable and would make issuperset raise TypeError.
    if (
        type(value) is list
        and 0 < len(value) <= FIELDS_MAX
        and all(type(name) is str for name in value)
        and _DATA_FIELDS.issuperset(value)
    ):
        # A repeated field adds nothing; keep the first of each, in the order sent.
        return value if len(set(value)) == len(value) else list(dict.fromkeys(value))
    field = _join(prefix, "fields")
    if value is None:
        errors.add(field, "required", "This field is required.")
    elif type(value) is not list:
        errors.add(field, "invalid_type", "Must be a list of field names.")
    elif not value:
        errors.add(field, "required", "List at least one field that was read.")
    elif len(value) > FIELDS_MAX:
        errors.add(field, "too_many_items", f"List at most {FIELDS_MAX} fields.")
    else:
        for position, name in enumerate(value):
            if type(name) is not str:
                errors.add(f"{field}[{position}]", "invalid_type", "Must be a string.")
            elif name not in _DATA_FIELDS:
                errors.add(
                    f"{field}[{position}]",
                    "invalid_choice",
                    f"Must be one of: {', '.join(sorted(_DATA_FIELDS))}.",
                )
    return None


def session_value(obj: dict, prefix: str, errors: Errors) -> uuid.UUID | None:
    """``obj["session"]``: a session id, or None when null or absent (not an error)."""
    value = obj.get("session")
    if value is None:
        return None
    if type(value) is not str:
        errors.add(
            _join(prefix, "session"),
            "invalid_type",
            "Must be a session id (UUID string) or null.",
        )
        return None
    if _SESSION_ID_RE.fullmatch(value) is not None:
        # Only the hyphenated form POST /sessions returns: uuid.UUID alone would
        # also take "urn:..." and hyphens anywhere.
        return uuid.UUID(value)
    errors.add(
        _join(prefix, "session"),
        "invalid_format",
        "Must be a session id as returned by POST /sessions.",
    )
    return None


def object_body(data: Any, errors: Errors) -> dict | None:
    """The body itself, which must be a JSON object."""
    if type(data) is not dict:
        errors.add("", "invalid_type", "The body must be a JSON object.")
        return None
    return data
