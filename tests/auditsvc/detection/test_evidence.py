"""Evidence sentences and the alert page's numbers name violations in the reader's words."""

from __future__ import annotations

from django.utils import translation

from auditsvc.detection.evidence import number_rows, render_evidence

OUT_OF_SCOPE = {
    "agent": "A-0003",
    "partner": "P0002",
    "day": "2026-12-01",
    "count": 215,
    "residents": 215,
    "codes": "region_not_authorised, outside_hours",
    "by_code": {"region_not_authorised": 6, "outside_hours": 215},
}


def test_the_sentence_names_the_violations_in_english_words():
    with translation.override("en"):
        sentence = render_evidence("out_of_scope_access", OUT_OF_SCOPE)

    assert sentence == (
        "Agent A-0003 made 215 accesses outside the authorisation on 2026-12-01 "
        "(215 residents): region not authorised, outside authorised hours."
    )


def test_the_sentence_and_the_numbers_read_in_chinese():
    with translation.override("zh-hans"):
        sentence = render_evidence("out_of_scope_access", OUT_OF_SCOPE)
        rows = dict(number_rows(OUT_OF_SCOPE))

    assert "地区未获授权" in sentence and "超出授权时段" in sentence
    assert "_" not in sentence
    assert rows["违规"] == "地区未获授权、超出授权时段"
    assert rows["各类违规"] == "地区未获授权: 6、超出授权时段: 215"


def test_an_unknown_code_is_kept_as_it_is():
    numbers = {**OUT_OF_SCOPE, "codes": "something_new"}
    with translation.override("en"):
        assert "something_new" in render_evidence("out_of_scope_access", numbers)


def test_a_whole_threshold_reads_without_a_decimal_and_a_fraction_keeps_it():
    numbers = {
        "partner": "P0002",
        "count": 373,
        "day": "2026-12-02",
        "usual_low": 0,
        "usual_high": 0,
        "threshold": 60.0,
    }
    with translation.override("en"):
        whole = render_evidence("volume_day_partner", numbers)
        fraction = render_evidence("volume_day_partner", {**numbers, "threshold": 60.5})

    assert whole.endswith("(threshold 60).")
    assert fraction.endswith("(threshold 60.5).")
