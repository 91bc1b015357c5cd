"""Detection: rules that look across records for the patterns of the Dengzhou case.

One module per rule under ``rules/``, a registry (``rules.RULES``), the
engine that runs a rule over one log from its watermark (``services.engine``),
the alerts it writes and their triage (``services.alerts``,
``services.triage``), Celery tasks, the API and the admin. Above ingestion;
never imports exports or reports (siblings).
"""
