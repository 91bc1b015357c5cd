"""Errors of the partner registry, each with a stable code and HTTP status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError


class PartnerError(ServiceError):
    code = "partner_error"


class IllegalTransition(PartnerError):
    code = "illegal_transition"
    status = 409
    title = _("This vetting move is not allowed from the partner's current status.")


class MakerCheckerRefused(PartnerError):
    """Maker-checker: whoever prepared a partner's file (or suspended it) cannot approve it."""

    code = "maker_checker"
    status = 403
    title = _("Whoever registered, documented or reviewed a partner cannot also approve it.")


#: The former name, from when only the reviewer was barred.
SameReviewer = MakerCheckerRefused


class NotPermitted(PartnerError):
    code = "not_permitted"
    status = 403
    title = _("You do not hold the permission this action needs.")


class DocumentsIncomplete(PartnerError):
    code = "documents_incomplete"
    status = 409
    title = _("A required qualification document is missing or expired.")


class ReasonRequired(PartnerError):
    code = "reason_required"
    title = _("Give a reason for this decision.")


class CredentialRevoked(PartnerError):
    code = "credential_revoked"
    status = 409
    title = _("This credential is already revoked.")


class AuthorisationRevoked(PartnerError):
    code = "authorisation_revoked"
    status = 409
    title = _("This authorisation is already revoked.")


class LetterNotIssuable(PartnerError):
    code = "letter_not_issuable"
    status = 409
    title = _("A letter can be issued only from a current authorisation of an approved partner.")


class LetterRevoked(PartnerError):
    code = "letter_revoked"
    status = 409
    title = _("This letter is already revoked.")
