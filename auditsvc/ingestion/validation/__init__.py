"""Fast, hand-written validation of the ingestion API's request bodies.

DRF serializers cost tens of microseconds per field, which is too slow for
1,000-record batches at thousands of records a second, so the bodies are
checked here by plain Python: a few dict look-ups, type tests and compiled
regular expressions per field.

Every error of a body is collected (not only the first) as
``{"field": "events[3].resident.value", "code": "invalid_checksum", "message": ...}``
and raised together as ``ValidationFailed``: a malformed batch is refused
whole and nothing of it is recorded. Messages never quote the identity value,
the phone number or any other submitted value.

What comes out holds no raw identifier: resident numbers, devices, phones and
account ids are turned into keyed pseudonyms here, so the services (and the
ledger) never see the raw values.

``fields`` checks one field at a time (and parses times); ``bodies`` checks
whole request bodies and builds what the services take.
"""

from .bodies import (
    AccessEventIn,
    AccountEventIn,
    SessionCloseIn,
    SessionOpenIn,
    validate_access_batch,
    validate_account_batch,
    validate_session_close,
    validate_session_open,
)
from .fields import parse_datetime

__all__ = [
    "AccessEventIn",
    "AccountEventIn",
    "SessionCloseIn",
    "SessionOpenIn",
    "parse_datetime",
    "validate_access_batch",
    "validate_account_batch",
    "validate_session_close",
    "validate_session_open",
]
