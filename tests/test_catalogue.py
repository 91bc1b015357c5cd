"""The Simplified Chinese catalogue: complete, consistent with the glossary, compiled.

The compiled ``.mo`` is committed (``make run`` needs no gettext tools), so a
test compares its catalogue with what the ``.po`` says now: a source edited
without ``make messages`` fails here. Contents are compared, not file times,
which git sets at checkout.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

from tests.po import catalogue, read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po"))
ZH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "docs" / "glossary.md"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%%|%[sd]")


def messages(entries: list[dict]) -> list[dict]:
    return [entry for entry in entries if entry["msgid"] and not entry["obsolete"]]


def translations(entry: dict) -> list[str]:
    if entry["msgid_plural"] is not None:
        return [entry["msgstr_plural"][index] for index in sorted(entry["msgstr_plural"])]
    return [entry["msgstr"]]


def test_there_is_a_simplified_chinese_catalogue():
    assert ZH in CATALOGUES
    assert len(messages(read_po(ZH))) > 500


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_no_entry_is_empty_or_fuzzy(path):
    entries = read_po(path)

    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    empty = [
        entry["msgid"]
        for entry in messages(entries)
        if not all(translations(entry)) or not translations(entry)
    ]

    assert fuzzy == [], f"fuzzy entries: {fuzzy[:10]}"
    assert empty == [], f"untranslated entries: {empty[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_translation_keeps_the_placeholders_of_its_message(path):
    wrong = []
    for entry in messages(read_po(path)):
        wanted = sorted(set(PLACEHOLDER.findall(entry["msgid"])))
        if entry["msgid_plural"] is not None:
            wanted = sorted(set(wanted) | set(PLACEHOLDER.findall(entry["msgid_plural"])))
        for text in translations(entry):
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                wrong.append((entry["msgid"], text))
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_committed_compiled_catalogue_says_what_its_source_says(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run `make messages` and commit it"
    with compiled.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)._catalog

    expected = catalogue(read_po(path))
    # msgfmt leaves the template's creation date out of the compiled header.
    expected[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", expected.get("", ""))

    stale = {
        key for key in expected.keys() | committed.keys() if expected.get(key) != committed.get(key)
    }
    assert not stale, (
        f"{compiled.name} is older than {path.name} ({len(stale)} messages differ, e.g. "
        f"{sorted(map(str, stale))[:3]}): run `make messages` and commit both"
    )


# --- The glossary ----------------------------------------------------------------------------


def glossary() -> tuple[list[tuple[list[str], list[str]]], set[tuple[str, str]]]:
    """The terms (English forms, Chinese alternatives) and the exceptions (message start, form)."""
    terms, exceptions = [], set()
    section = "terms"
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("## Exceptions"):
            section = "exceptions"
        if not line.startswith("| ") or line.startswith("| ---"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] in ("English (forms)", "message (start)"):
            continue
        if section == "terms":
            forms = [form.strip() for form in cells[0].split(",") if form.strip()]
            chinese = [term.strip() for term in cells[1].split(" / ") if term.strip()]
            terms.append((forms, chinese))
        else:
            exceptions.add((cells[0], cells[1]))
    return terms, exceptions


def readable(text: str) -> str:
    """A message as its words: placeholders, tags, template variables and paths taken out."""
    text = PLACEHOLDER.sub(" ", text)
    text = re.sub(r"<[^>]*>|\{\{[^}]*\}\}", " ", text)
    # File names and paths (docs/auditors.md, checkpoint.txt) are not words.
    text = re.sub(r"\S+/\S+|\S+\.(?:md|txt|zip|json)\b", " ", text)
    return text


def excepted(msgid: str, form: str, exceptions: set[tuple[str, str]]) -> bool:
    return any(msgid.startswith(start) and form == name for start, name in exceptions)


def test_the_glossary_has_the_bureaus_terms():
    terms, _exceptions = glossary()
    chinese = {term for _forms, alternatives in terms for term in alternatives}

    for term in (
        "医保局",
        "合作机构",
        "授权书",
        "医保电子凭证",
        "经办人",
        "告警",
        "审核",
        "审计员",
    ):
        assert term in chinese


def test_every_translation_uses_the_glossarys_terms():
    terms, exceptions = glossary()
    wrong = []
    for entry in messages(read_po(ZH)):
        english = readable(" ".join(filter(None, [entry["msgid"], entry["msgid_plural"]])))
        for forms, chinese in terms:
            for form in forms:
                if not re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", english, re.I):
                    continue
                if excepted(entry["msgid"], form, exceptions):
                    continue
                for text in translations(entry):
                    if not any(term in text for term in chinese):
                        wrong.append(f"{entry['msgid']!r}: “{form}” is {' / '.join(chinese)}")
                break
    assert wrong == [], "\n".join(wrong)


def test_the_glossarys_exceptions_are_messages_of_the_catalogue():
    _terms, exceptions = glossary()
    msgids = [entry["msgid"] for entry in messages(read_po(ZH))]

    for start, _form in exceptions:
        assert any(msgid.startswith(start) for msgid in msgids), start
