"""The bureau's roles (DESIGN.md "Roles"). Groups and their permissions are created by the
site's role migrations (auditsvc/site/migrations: 0001_roles, then one ``grant`` per
feature); these names must match them. Who may hold which together, and the services
that grant and remove roles, are the site's (auditsvc.site.services.roles)."""

from django.utils.translation import gettext_lazy as _

BUREAU_STAFF = "Bureau staff"
APPROVERS = "Approvers"
AUDITORS = "Auditors"
SECURITY_OFFICERS = "Security officers"
ROLES = (BUREAU_STAFF, APPROVERS, AUDITORS, SECURITY_OFFICERS)

#: What each role is called on pages; the group names above are stored and stay as they are.
ROLE_LABELS = {
    BUREAU_STAFF: _("Bureau staff"),
    APPROVERS: _("Approvers"),
    AUDITORS: _("Auditors"),
    SECURITY_OFFICERS: _("Security officers"),
}


def role_label(role: str) -> str:
    """A role's name in the reader's language (an unknown group name as it is)."""
    return str(ROLE_LABELS.get(role, role))
