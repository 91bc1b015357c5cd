"""OpenAPI descriptions of the ingestion endpoints (drf-spectacular).

``requests``: the request bodies, written from the validation constants so
that the schema says exactly what the server enforces; ``responses``: the
answers; ``examples``: what the docs show (every request example passes the
validators, a test checks it).
"""

from .examples import (
    ACCESS_ANSWER,
    ACCESS_EXAMPLE,
    ACCOUNT_ANSWER,
    ACCOUNT_EXAMPLE,
    CONFLICT_EXAMPLE,
    EXAMPLE_ID_NUMBER,
    EXAMPLE_RECEIPT,
    SESSION_CLOSE_ANSWER,
    SESSION_CLOSE_EXAMPLE,
    SESSION_CONFLICT_EXAMPLE,
    SESSION_OPEN_ANSWER,
    SESSION_OPEN_EXAMPLE,
    VALIDATION_EXAMPLE,
)
from .requests import (
    AccessEventBatchSerializer,
    AccountEventBatchSerializer,
    RequestBody,
    RequestBodyExtension,
    SessionCloseRequestSerializer,
    SessionOpenRequestSerializer,
    access_event_schema,
    account_event_schema,
    session_close_schema,
    session_open_schema,
)
from .responses import (
    BatchResultSerializer,
    EventResultSerializer,
    SessionCloseResponseSerializer,
    SessionOpenResponseSerializer,
)

__all__ = [
    "ACCESS_ANSWER",
    "ACCESS_EXAMPLE",
    "ACCOUNT_ANSWER",
    "ACCOUNT_EXAMPLE",
    "CONFLICT_EXAMPLE",
    "EXAMPLE_ID_NUMBER",
    "EXAMPLE_RECEIPT",
    "SESSION_CLOSE_ANSWER",
    "SESSION_CLOSE_EXAMPLE",
    "SESSION_CONFLICT_EXAMPLE",
    "SESSION_OPEN_ANSWER",
    "SESSION_OPEN_EXAMPLE",
    "VALIDATION_EXAMPLE",
    "AccessEventBatchSerializer",
    "AccountEventBatchSerializer",
    "BatchResultSerializer",
    "EventResultSerializer",
    "RequestBody",
    "RequestBodyExtension",
    "SessionCloseRequestSerializer",
    "SessionCloseResponseSerializer",
    "SessionOpenRequestSerializer",
    "SessionOpenResponseSerializer",
    "access_event_schema",
    "account_event_schema",
    "session_close_schema",
    "session_open_schema",
]
