"""Read-only admin of what partners reported, and the resident lookup.

Sessions, identity accesses and account events are evidence: nobody adds,
changes or deletes them here (their ledger entries could not follow anyway).
Staff filter them by partner, agent, period, purpose and violation.

The resident lookup answers "who accessed my data?": staff type a resident's
identity number, the service computes its pseudonym on the fly and lists every
session, access and account event about that resident. The number is sent
by POST (never in a URL or an access log), marked sensitive for error
reports, never rendered back into the page and never stored. Each lookup is
itself signed into the bureau log (``resident.lookup``: who, the pseudonym,
how many records were found).

Modules: ``filters`` (violation, agent, period), ``records`` (the three lists
and record pages), ``lookup`` (the resident lookup's form and page).
"""

from . import records

__all__ = ["records"]
