"""The demo's cast: users, partners, agents, and obviously fake but valid numbers."""

from __future__ import annotations

from dataclasses import dataclass

from auditsvc.base.identities import resident_id_check_char
from partners import roles
from partners.choices import PartnerKind
from partners.validators import uscc_check_char

BACKUP_CODES = 5
# Keys and tokens this command issued carry these labels, so a re-run can revoke them.
DEMO_KEY_LABEL = "demo software (seed_demo"
DEMO_TOKEN_LABEL = "demo token (seed_demo"  # noqa: S105 - a label, not a secret
TOTP_DEVICE_NAME = "demo authenticator"
BACKUP_DEVICE_NAME = "backup codes"

# username, groups
USERS = (
    ("staff", (roles.BUREAU_STAFF,)),
    ("approver", (roles.BUREAU_STAFF, roles.APPROVERS)),
    ("approver2", (roles.BUREAU_STAFF, roles.APPROVERS)),
    ("auditor", (roles.AUDITORS,)),
    # Grants and removes roles, resets lost second factors; neither staff nor approver.
    ("security", (roles.SECURITY_OFFICERS,)),
)


def demo_uscc(serial: int, region: str) -> str:
    """A valid but obviously made-up credit code: 91 + region + zeros + serial + check."""
    body = f"91{region}{serial:09d}"
    return body + uscc_check_char(body)


def demo_id_number(region: str, sequence: int) -> str:
    """A valid but obviously fake resident identity number: born 1900-01-01."""
    first17 = f"{region}19000101{sequence:03d}"
    return first17 + resident_id_check_char(first17)


@dataclass(frozen=True)
class DemoPartner:
    serial: int
    legal_name: str
    kind: str
    region: str
    region_name: str
    address: str


PARTNERS = (
    DemoPartner(
        1,
        "Dengzhou Huimin Card Services Co., Ltd. (demo)",
        PartnerKind.ENROLMENT_PARTNER,
        "411381",
        "Dengzhou",
        "8 Xinhua Road, Dengzhou, Nanyang, Henan",
    ),
    DemoPartner(
        2,
        "Wancheng Medical Card Assistance Co., Ltd. (demo)",
        PartnerKind.ENROLMENT_PARTNER,
        "411302",
        "Wancheng",
        "21 Zhongzhou Road, Wancheng District, Nanyang, Henan",
    ),
    DemoPartner(
        3,
        "Zhongyuan Pay Account Platform Co., Ltd. (demo)",
        PartnerKind.ACCOUNT_PLATFORM,
        "410105",
        "Zhengzhou",
        "1 Jinshui Road, Zhengzhou, Henan",
    ),
)
AGENT_CODES = ("A-0001", "A-0002", "A-0003")
