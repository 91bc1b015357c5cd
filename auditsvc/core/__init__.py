"""The Django-free core: what the server and the offline verifier share.

- ``canonical``: RFC 8785 canonical bytes of entries and documents, ledger times, strict base64;
- ``merkle``: RFC 6962 hashing, tree maintenance, proofs, proof checks, range proofs;
- ``keys``: Ed25519 keys in the C2SP signed-note format, entry and document signatures;
- ``notes``: C2SP signed notes and tlog checkpoints;
- ``documents``: signed documents (letters, resident access reports).

Standard library and ``cryptography`` only: import-linter (``make lint``)
forbids ``django``, ``rest_framework`` and ``celery`` here, and a test imports
this package in a process where importing Django fails. Everything here is
checked against fixed known-answer vectors.
"""
