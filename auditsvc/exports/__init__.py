"""Signed export bundles: an auditor's complete, offline-verifiable copy of one log over a period.

An auditor asks for one log (a partner's, by its code, or ``bureau``) and a
``recorded_at`` range ``[from, to)``. ``bundles`` writes the zip DESIGN.md
"Export bundles and the offline verifier" defines (entries, fence posts,
range proof, checkpoint, keys, signed manifest), streaming, and the same
request always gives the same bytes. ``services`` records requests and
downloads in the bureau log, ``tasks`` runs the writing on a worker, and
``api``, ``admin`` and the ``auditsvc_export`` command are the ways in.

Above ingestion and the registry, beside detection and reports (it imports
neither); the offline verifier shares only ``auditsvc.core`` with it.
"""
