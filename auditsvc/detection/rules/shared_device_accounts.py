"""``shared_device_accounts``: One device opening or binding accounts for many different residents.

The counting is shared with the other rule of its kind (_shared_accounts.py).
"""

from __future__ import annotations

from ..choices import RuleCode, SubjectKind
from ._shared_accounts import SharedAccounts


class SharedDeviceAccounts(SharedAccounts):
    code = RuleCode.SHARED_DEVICE_ACCOUNTS
    field = "device_ref"
    subject = SubjectKind.DEVICE
