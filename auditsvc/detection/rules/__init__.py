"""The rules, one module each, and their registry (``RULES``: code -> rule)."""

from __future__ import annotations

from ._base import Finding, Rule, Scope, shared_in_run
from .access_without_session import AccessWithoutSession
from .account_opened_near_session import AccountOpenedNearSession
from .daily_cap_exceeded import DailyCapExceeded
from .elderly_concentration import ElderlyConcentration
from .multiple_accounts_per_resident import MultipleAccountsPerResident
from .out_of_scope_access import OutOfScopeAccess
from .session_many_residents import SessionManyResidents
from .session_too_short import SessionTooShort
from .shared_device_accounts import SharedDeviceAccounts
from .shared_phone_accounts import SharedPhoneAccounts
from .suspended_partner_activity import SuspendedPartnerActivity
from .volume_spike import VolumeSpike

__all__ = ["RULES", "Finding", "Rule", "Scope", "shared_in_run"]

#: Every rule by its code, in the order they run.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        SuspendedPartnerActivity(),
        OutOfScopeAccess(),
        DailyCapExceeded(),
        AccessWithoutSession(),
        VolumeSpike(),
        SessionManyResidents(),
        SessionTooShort(),
        AccountOpenedNearSession(),
        MultipleAccountsPerResident(),
        SharedDeviceAccounts(),
        SharedPhoneAccounts(),
        ElderlyConcentration(),
    )
}
