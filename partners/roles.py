"""The bureau's roles (DESIGN.md "Roles"). Groups and their permissions are created by the
site's role migrations (auditsvc/site/migrations: 0001_roles, then one ``grant`` per
feature); these names must match them. Who may hold which together, and the services
that grant and remove roles, are the site's (auditsvc.site.services.roles)."""

BUREAU_STAFF = "Bureau staff"
APPROVERS = "Approvers"
AUDITORS = "Auditors"
SECURITY_OFFICERS = "Security officers"
ROLES = (BUREAU_STAFF, APPROVERS, AUDITORS, SECURITY_OFFICERS)
