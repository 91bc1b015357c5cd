"""Recording what partners report: sessions, identity accesses, account events.

Every function here is one transaction that starts by locking the partner's
log head (``log_for_update``). That lock serialises every write of the
partner, which is what makes the rest simple and race-free:

- the idempotency check (one query for the batch's client ids, reading each
  stored record's content) cannot miss a record that a concurrent request of
  the same partner is inserting;
- the daily counters are read, incremented in memory and written back once
  per batch without a lost update;
- the ledger's seqs stay contiguous.

Well-formed records are always recorded, even when they break the partner's
authorisation: the breach is evidence, computed in memory and returned (and
signed) as ``violations``. Only pseudonyms reach the database and the ledger;
the raw identifiers were replaced in ``auditsvc.ingestion.validation``.

Which region is checked against the authorised regions: for a session, its
``region_code`` (where the enrolment happens). For an access event with a
session of this partner, that session's ``region_code``; without one (no
session, or a session the partner does not have), the division code inside
the resident's identity number, which is only where the number was first
issued, a weaker signal: a resident who moved may be served legitimately
elsewhere, and the event is then flagged ``no_open_session`` anyway.

Modules: ``sessions`` (open, close), ``events`` (access and account event
batches), ``_common`` (what both need: kind check, agents, violation order)
``_idempotency`` (what a record's content is, so that a resend is told from
an id reused for something else: a 409 conflict), ``_storage`` (the
idempotency look-up and the bulk inserts) and ``lookups`` (the staff
resident lookup, recorded in the bureau log).
"""

from .events import DUPLICATE, RECORDED, EventResult, access_events_record, account_events_record
from .lookups import resident_lookup
from .sessions import SessionCloseResult, SessionResult, session_close, session_open

__all__ = [
    "DUPLICATE",
    "RECORDED",
    "EventResult",
    "SessionCloseResult",
    "SessionResult",
    "access_events_record",
    "account_events_record",
    "resident_lookup",
    "session_close",
    "session_open",
]
