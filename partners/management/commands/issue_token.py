"""manage.py issue_token USERNAME [--label L]: a personal API token, printed once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from auditsvc.base.commands import active_user
from partners.services.credentials import staff_token_issue


class Command(BaseCommand):
    help = (
        "Issue a personal API token (Authorization: Bearer <token>) for a staff member or "
        "auditor. The token is printed once, alone on stdout; only its hash is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="issued with manage.py issue_token")

    def handle(self, *args, username: str, label: str, **options) -> None:
        user = active_user(username, what="a token for them")
        try:
            token, key = staff_token_issue(user, label=label)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(f"Token {token.prefix}… for {username}; it is shown only once:")
        self.stdout.write(key)
