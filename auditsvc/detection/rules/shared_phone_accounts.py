"""``shared_phone_accounts``: One phone number given for many different residents' new accounts.

The counting is shared with the other rule of its kind (_shared_accounts.py).
"""

from __future__ import annotations

from ..choices import RuleCode, SubjectKind
from ._shared_accounts import SharedAccounts


class SharedPhoneAccounts(SharedAccounts):
    code = RuleCode.SHARED_PHONE_ACCOUNTS
    field = "phone_ref"
    subject = SubjectKind.PHONE
