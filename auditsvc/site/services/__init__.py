"""The site's services: who holds which role, and staff's second factors.

- ``roles``: grant and remove roles (security officers), with separation of duties;
- ``second_factor``: verify a one-time code, enrol an authenticator app and renew
  backup codes (after the password and a current code), reset a lost second
  factor (security officers).

Every change is one atomic function taking the actor and writing a bureau-log
entry (kinds in ``auditsvc.site.kinds``) that names the person concerned and
the actor, each by id and username.
"""
