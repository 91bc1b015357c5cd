"""What seed_demo prints: a readable summary of everything a person needs to try the service."""

from __future__ import annotations

import io
import shutil
from typing import Any

from rich.console import Console
from rich.table import Table


def render_summary(result: dict[str, Any], *, admin_url: str) -> str:
    """A readable summary with rich tables."""
    out = io.StringIO()
    console = Console(file=out, width=max(shutil.get_terminal_size().columns, 150))
    console.print(f"[bold]auditsvc demo data[/bold]  admin: {admin_url}")
    console.print(
        "Sign in with username, password and the current code of the TOTP secret "
        "(add it to an authenticator app) or one backup code."
    )

    users = Table(title="Users")
    users.add_column("username")
    users.add_column("groups")
    users.add_column("password", no_wrap=True)
    users.add_column("TOTP secret (base32)", no_wrap=True)
    users.add_column("backup codes (each works once)")
    for user in result["users"]:
        users.add_row(
            user["username"],
            ", ".join(user["groups"]),
            user["password"],
            user["totp_secret"],
            " ".join(user["backup_codes"]),
        )
    console.print(users)

    partners = Table(title="Partners")
    for column in ("code / log id", "name", "kind", "status", "agents", "regions", "letters"):
        partners.add_column(column)
    for partner in result["partners"]:
        partners.add_row(
            partner["code"],
            partner["legal_name"],
            partner["kind"],
            partner["status"],
            ", ".join(partner["agents"]) or "-",
            ", ".join(partner["region_codes"]) or "-",
            ", ".join(partner["letters"]) or "-",
        )
    console.print(partners)

    api_keys = Table(title="API keys (Authorization: Bearer <key>; shown only now)")
    api_keys.add_column("partner")
    api_keys.add_column("API key", no_wrap=True)
    for partner in result["partners"]:
        api_keys.add_row(partner["code"], partner["api_key"])
    console.print(api_keys)

    console.print(
        f"Auditor API token ({result['auditor']['username']}): {result['auditor']['api_token']}"
    )
    console.print(
        f"Verifier key (pin it for auditsvc-verify, see docs/auditors.md): {result['verifier_key']}"
    )
    return out.getvalue()
