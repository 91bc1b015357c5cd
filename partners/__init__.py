"""The partner registry, a Django app: who may help residents, vetted by the bureau.

Above the ledger (every decision is a bureau-log entry written through
``auditsvc.ledger``), below ingestion, which judges each record by what this
app says the partner may do. ``models`` and ``choices``: partners, documents,
vetting decisions, authorisations, agents, API keys and staff tokens;
``services/``: one atomic function per decision; ``selectors``: reads, among
them ``PartnerScope`` ("was this partner allowed to do this, here, then?");
``auth``: API key and token authentication; ``admin/``: the staff's pages;
``letters``: letter numbers and status, ``letters_public``: the public check page.
"""
