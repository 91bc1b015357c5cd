"""Granting and removing the bureau's roles (DESIGN.md "Roles").

Roles are Django groups (partners.roles). Only a security officer (the
``site.manage_roles`` permission) grants or removes them, never for their own
account, and never so that one person is both a security officer and bureau
staff or an approver: whoever decides who may approve must not approve. Each
grant and removal is a bureau-log entry. Django's stock user and group admin
no longer change group membership (auditsvc.site.admin).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time
from partners import roles

from ..errors import (
    AccountChangeNotPermitted,
    OwnAccount,
    RoleUnchanged,
    SeparationOfDuties,
    UnknownRole,
)
from ..kinds import SiteKind
from ._common import bureau_log, person_fields, require_reason

__all__ = ["INCOMPATIBLE_ROLES", "MANAGE_ROLES", "role_grant", "role_remove", "roles_of"]

MANAGE_ROLES = "site.manage_roles"
#: Roles one person may not hold together: a security officer acts neither as
#: staff nor as an approver (separation of duties).
INCOMPATIBLE_ROLES: dict[str, frozenset[str]] = {
    roles.SECURITY_OFFICERS: frozenset({roles.BUREAU_STAFF, roles.APPROVERS}),
    roles.BUREAU_STAFF: frozenset({roles.SECURITY_OFFICERS}),
    roles.APPROVERS: frozenset({roles.SECURITY_OFFICERS}),
    roles.AUDITORS: frozenset(),
}


def roles_of(user) -> list[str]:
    """The roles ``user`` holds, in the order of partners.roles.ROLES."""
    held = set(user.groups.values_list("name", flat=True))
    return [role for role in roles.ROLES if role in held]


def _checked(user, role: str, *, actor, reason: str) -> tuple[str, Group]:
    reason = require_reason(reason)
    if actor is None or not actor.has_perm(MANAGE_ROLES):
        raise AccountChangeNotPermitted(
            _("Changing roles needs the %(permission)s permission.") % {"permission": MANAGE_ROLES}
        )
    if actor.pk == user.pk:
        raise OwnAccount(_("Nobody changes their own roles: ask another security officer."))
    if role not in roles.ROLES:
        raise UnknownRole(
            _("No role “%(role)s”; the roles are %(roles)s.")
            % {"role": role, "roles": ", ".join(roles.ROLES)},
            field="role",
        )
    group = Group.objects.filter(name=role).first()
    if group is None:
        raise UnknownRole(f"The group of the role {role!r} is missing; run the migrations.")
    return reason, group


def role_grant(user, role: str, *, actor, reason: str) -> list[str]:
    """Give ``user`` the role ``role``; return the roles they hold now.

    Refuses (in this order) a missing reason, an actor without
    ``site.manage_roles`` (AccountChangeNotPermitted), the actor's own account
    (OwnAccount), an unknown role, a role held already (RoleUnchanged) and a
    role that cannot go with one held (SeparationOfDuties). The user is made
    staff (``is_staff``), since roles are used in the admin. The user row is
    locked, so two grants for one person are judged one after the other.
    """
    reason, group = _checked(user, role, actor=actor, reason=reason)
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        held = roles_of(locked)
        if role in held:
            raise RoleUnchanged(
                _("%(user)s already holds the role %(role)s.")
                % {"user": locked.get_username(), "role": roles.role_label(role)}
            )
        clash = [other for other in held if other in INCOMPATIBLE_ROLES[role]]
        if clash:
            raise SeparationOfDuties(
                _(
                    "%(user)s holds %(held)s, which cannot go with %(role)s: a security officer "
                    "is neither bureau staff nor an approver."
                )
                % {
                    "user": locked.get_username(),
                    "held": ", ".join(map(roles.role_label, clash)),
                    "role": roles.role_label(role),
                }
            )
        locked.groups.add(group)
        if not locked.is_staff:
            locked.is_staff = True
            locked.save(update_fields=["is_staff"])
        now = roles_of(locked)
        bureau_log(
            SiteKind.ROLE_GRANTED,
            {
                **person_fields(locked),
                "role": role,
                "roles": now,
                "reason": reason,
                **actor_fields(actor),
                "granted_at": format_time(timezone.now()),
            },
        )
    return now


def role_remove(user, role: str, *, actor, reason: str) -> list[str]:
    """Take the role ``role`` from ``user``; return the roles they hold now.

    The same checks as role_grant, except that the role must be held
    (RoleUnchanged otherwise). Removing a role takes effect on the user's next
    request: permissions are read from the groups on every request.
    """
    reason, group = _checked(user, role, actor=actor, reason=reason)
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if role not in roles_of(locked):
            raise RoleUnchanged(
                _("%(user)s does not hold the role %(role)s.")
                % {"user": locked.get_username(), "role": roles.role_label(role)}
            )
        locked.groups.remove(group)
        now = roles_of(locked)
        bureau_log(
            SiteKind.ROLE_REMOVED,
            {
                **person_fields(locked),
                "role": role,
                "roles": now,
                "reason": reason,
                **actor_fields(actor),
                "removed_at": format_time(timezone.now()),
            },
        )
    return now
