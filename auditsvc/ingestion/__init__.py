"""Ingestion, a Django app: what partner software and account platforms report.

Above the registry (``partners``) and the ledger: each record is validated,
pseudonymised, judged against the partner's authorisation and appended to
the partner's log in one transaction. Modules:

- ``models``: sessions, identity accesses, account events, daily access counts;
- ``validation``: fast checks of request bodies (raw identifiers become pseudonyms there);
- ``services``: recording sessions and batches, the staff resident lookup;
- ``api``/``urls``/``openapi``: the ingestion endpoints and the receipts endpoint, which knows
  which partner may read which log; ``admin``: the read-only records and the resident lookup.
"""
