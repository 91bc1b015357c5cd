"""The shared base every Django layer stands on; imports only the core and third parties.

- ``errors``: ``ServiceError`` (a stable code and HTTP status) and the errors every layer shares;
- ``identities``: resident identity numbers, phones and devices, and their keyed pseudonyms;
- ``actors``: how a decision names the person who took it;
- ``db``: database helpers of the write paths;
- ``api``: API plumbing (problem details, throttling, schema helpers, parsers, renderers).
"""
