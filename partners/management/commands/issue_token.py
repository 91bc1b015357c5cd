"""manage.py issue_token USERNAME [--label L]: a personal API token, printed once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

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
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"{username!r} is inactive; a token for them would not work.")
        try:
            token, key = staff_token_issue(user, label=label)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(f"Token {token.prefix}… for {username}; it is shown only once:")
        self.stdout.write(key)
