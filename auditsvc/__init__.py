"""auditsvc: the service's layers, each a package that imports only the layers below it.

From the top (``make lint`` holds the arrows with import-linter):

- ``demo``: demo data (``seed_demo``), which uses every layer;
- ``site``: the bureau's admin site, dashboard, sign-in and roles;
- ``detection``, ``exports``, ``reports``: what looks across the records (siblings);
- ``ingestion``: what partner software and account platforms report;
- ``partners`` (a top-level package beside this one): the registry;
- ``ledger``: the signed, append-only logs;
- ``base``: errors, identities, actors, the clock, database and API plumbing;
- ``core``: canonical bytes, Merkle trees, keys, signed notes and documents, with no Django:
  the offline verifier's base.
"""
