"""The registry's decisions, one atomic function each, each writing its bureau-log entry.

``vetting`` (registration, vetting moves with maker-checker), ``documents``,
``authorisations``, ``letters`` (issued and revoked by approvers), ``agents``,
``credentials`` (API keys and staff tokens);
``_common`` holds what they share (the reason rule, revocation).
"""
