"""The Django-free core of the signed ledger, shared by the server and the offline verifier."""
