"""Errors of the site's account services (roles, second factors), each with a stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError


class AccountError(ServiceError):
    code = "account_error"


class AccountChangeNotPermitted(AccountError):
    code = "not_permitted"
    status = 403
    title = _("Only a security officer may change roles or reset a second factor.")


class OwnAccount(AccountError):
    code = "own_account"
    status = 403
    title = _("Nobody changes their own roles or resets their own second factor.")


class UnknownRole(AccountError):
    code = "unknown_role"
    title = _("No such role.")


class RoleUnchanged(AccountError):
    code = "role_unchanged"
    status = 409
    title = _("The person already holds that role, or does not hold it.")


class SeparationOfDuties(AccountError):
    code = "separation_of_duties"
    status = 409
    title = _("A security officer cannot also be bureau staff or an approver.")


class ReasonMissing(AccountError):
    code = "reason_required"
    title = _("Give a reason for this decision.")


class IdentityNotConfirmed(AccountError):
    code = "identity_not_confirmed"
    status = 403
    title = _("The password or the one-time code is not right.")


class EnrolmentExpired(AccountError):
    code = "enrolment_expired"
    status = 409
    title = _("That enrolment has expired or was replaced; start again.")


class WrongCode(AccountError):
    code = "wrong_code"
    title = _("That code is not right; check the clock of the phone.")


class HasSecondFactor(AccountError):
    code = "has_second_factor"
    status = 409
    title = _("This person already has a second factor; a lost one is reset by a security officer.")
