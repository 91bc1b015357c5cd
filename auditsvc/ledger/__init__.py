"""The signed ledger, a Django app: logs, entries, tree nodes, checkpoints and keys.

It knows logs only by their id (a partner's code, ``bureau``) and stores
whatever registered kind of fact a layer above appends (``kinds``); it never
imports those layers. Modules:

- ``models``: the append-only tables (the database refuses UPDATE, DELETE and TRUNCATE);
- ``services``: appending signed entries under the log head's lock;
- ``keys``: loading private keys and choosing which key signs; ``publishing``: generating,
  publishing and rotating keys (bureau-log decisions);
- ``checkpoints``: signed tree heads; ``integrity``: ``verify_ledger``;
- ``selectors``: roots and proofs from stored hashes; ``api``/``urls``: the public proofs API;
- ``admin``, ``tasks``, ``checks`` and ``management/commands``.
"""
