"""manage.py issue_backup_codes USERNAME [--count N]: a new staff member's first backup codes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from auditsvc.base.commands import active_user
from auditsvc.site.errors import HasSecondFactor
from auditsvc.site.services.second_factor import BACKUP_CODE_COUNT, backup_codes_first_issue


class Command(BaseCommand):
    help = (
        "Give a staff member who has no second factor yet one-time backup codes to sign in "
        "with. They are printed once, one per line on stdout; only keyed hashes are stored. "
        "Use it instead of django-otp's addstatictoken, whose codes are stored as typed "
        "and do not sign in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--count", type=int, default=BACKUP_CODE_COUNT)

    def handle(self, *args, username: str, count: int, **options) -> None:
        if not 1 <= count <= 20:
            raise CommandError("--count must be between 1 and 20.")
        user = active_user(username, what="codes for them")
        try:
            codes = backup_codes_first_issue(user, count=count)
        except HasSecondFactor:
            raise CommandError(
                f"{username!r} already has a second factor. If it is lost, a security officer "
                "resets it (Staff accounts > the person > Reset second factor), giving a reason."
            ) from None
        self.stderr.write(
            f"{len(codes)} backup codes for {username}, each works once; they are shown only now:"
        )
        self.stdout.write("\n".join(codes))
