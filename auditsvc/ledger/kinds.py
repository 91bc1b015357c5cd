"""The kinds of ledger entries: each layer registers the kinds it writes.

The ledger stores facts it does not interpret. A kind is a stable dotted
code (``partner.vetting``, ``access.recorded``); the layer that writes it
declares it in its own ``kinds`` module and registers it here from its
``AppConfig.ready()``, so ``append_entries`` refuses a kind nobody declared
(a typo would otherwise become permanent) and the admin can list them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = ["LedgerKind", "kind_owner", "register_kinds", "registered_kinds"]

_owners: dict[str, str] = {}


class LedgerKind(StrEnum):
    """The ledger's own kinds: its signing keys, written to the bureau log."""

    KEY_PUBLISHED = "key.published"
    KEY_RETIRED = "key.retired"


def register_kinds(owner: str, kinds: Iterable[str]) -> None:
    """Declare that the app ``owner`` writes ``kinds``; a kind has one owner."""
    for kind in kinds:
        value = str(kind)
        current = _owners.setdefault(value, owner)
        if current != owner:
            raise ValueError(f"ledger kind {value!r} is registered by {current}, not {owner}")


def registered_kinds() -> frozenset[str]:
    """Every kind some installed app writes."""
    return frozenset(_owners)


def kind_owner(kind: str) -> str | None:
    """The app that registered ``kind`` (None for an unknown kind)."""
    return _owners.get(kind)
