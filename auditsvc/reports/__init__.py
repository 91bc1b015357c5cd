"""Residents' access reports: everything reported about one resident, signed for them to keep.

PIPL Art. 45 gives residents the right to know who accessed their personal
information. Bureau staff who have checked a resident's identity in person
type the identity number; the service computes its pseudonym, gathers every
live session, identity access and account event about that resident from
every partner (with violations and ledger receipts), and hands back a
printable page and a signed JSON document (``auditsvc-report/1``, DESIGN.md
"Signed documents"). Producing a report is a bureau-log entry; the number is
never stored or logged.

Above ingestion (it reads what partners reported) and the registry, beside
detection and exports. ``selectors`` reads the records, ``services`` produces
and records a report, ``admin`` is the staff's page.
"""
