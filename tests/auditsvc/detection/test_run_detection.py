"""run_detection and its command: every rule from its watermark, the same code beat runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from auditsvc.detection.models import Alert, Watermark
from auditsvc.detection.services import run_detection
from tests import needs

from .support import local, read


def test_it_examines_every_entry_once_and_moves_the_watermarks(partner, yesterday):
    read(partner, local(yesterday, 22), 1)  # no session: access_without_session
    summary = run_detection()
    assert summary.entries_examined > 0
    assert Alert.objects.filter(rule="access_without_session").count() == 1
    marks = set(Watermark.objects.filter(log_id=partner.code).values_list("seq", flat=True))
    assert marks == {0}
    again = run_detection()
    assert again.entries_examined == 0
    assert Alert.objects.count() == 1


def test_it_reports_progress_from_zero_to_the_total(partner, yesterday):
    read(partner, local(yesterday, 22), 1)
    seen = []
    run_detection(progress=lambda description, done, total: seen.append((done, total)))
    assert seen[0][0] == 0
    assert seen[-1][0] == seen[-1][1] > 0


def test_the_command_runs_one_rule_of_one_partner(partner, second_partner, yesterday):
    read(partner, local(yesterday, 22), 1)
    read(second_partner, local(yesterday, 22), 1)
    out = StringIO()
    call_command(
        "run_detection",
        "--partner",
        partner.code,
        "--rule",
        "access_without_session",
        "--no-progress",
        stdout=out,
    )
    assert "1 created" in out.getvalue()
    assert list(Alert.objects.values_list("partner__code", flat=True)) == [partner.code]
    assert not Watermark.objects.filter(log_id=second_partner.code).exists()


def test_the_command_refuses_an_unknown_partner(db):
    with pytest.raises(CommandError, match="no partner"):
        call_command("run_detection", "--partner", "P9999", "--no-progress")


@needs.postgres("SET LOCAL of the planner's settings")
@pytest.mark.django_db(transaction=True)  # the step's own transaction is the outermost
def test_a_step_runs_with_the_detection_database_settings_and_leaves_them_after(
    partner, yesterday, monkeypatch, settings
):
    from django.db import connection

    from auditsvc.detection.rules import RULES

    settings.DETECTION_POSTGRES_SETTINGS = {"jit": "off", "work_mem": "48MB"}
    read(partner, local(yesterday, 22), 1)
    rule = RULES["access_without_session"]
    seen = {}
    original = type(rule).findings

    def findings(self, scope):
        with connection.cursor() as cursor:
            for name in ("jit", "work_mem"):
                cursor.execute(f"SHOW {name}")
                seen[name] = cursor.fetchone()[0]
        yield from original(self, scope)

    monkeypatch.setattr(type(rule), "findings", findings)
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]

    run_detection(rules=["access_without_session"])

    assert seen == {"jit": "off", "work_mem": "48MB"}
    assert Alert.objects.filter(rule="access_without_session").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == before  # SET LOCAL: gone with the step's transaction
