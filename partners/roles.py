"""The bureau's roles. Groups and their permissions are created by a data migration
(partners/migrations/0002_roles.py); these names must match it."""

BUREAU_STAFF = "Bureau staff"
APPROVERS = "Approvers"
AUDITORS = "Auditors"
ROLES = (BUREAU_STAFF, APPROVERS, AUDITORS)
