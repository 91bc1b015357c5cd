"""A small reader of gettext PO files, for the catalogue tests (no polib in the pins).

``read_po(path)`` returns the entries in file order, each a dict with
``msgctxt`` (or None), ``msgid``, ``msgid_plural`` (or None), ``msgstr`` (a
string) or ``msgstr_plural`` (a dict n -> string), ``flags`` (a set, e.g.
{"fuzzy", "python-format"}) and ``obsolete``. ``catalogue(entries)`` gives the
mapping that a compiled .mo holds, keyed as ``gettext.GNUTranslations`` keeps
it: ``msgid`` or ``"ctxt\\x04msgid"`` for singulars, ``(msgid, n)`` for plurals.
"""

from __future__ import annotations

import ast
from pathlib import Path


def _unquote(text: str) -> str:
    # A PO string is a C string; Python's literal syntax reads the same escapes.
    return ast.literal_eval(text)


def parse_po(text: str) -> list[dict]:
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple | None = None

    def finish() -> None:
        nonlocal entry
        if entry is not None and ("msgid" in entry):
            entries.append(entry)
        entry = None

    def new() -> dict:
        return {
            "msgctxt": None,
            "msgid_plural": None,
            "msgstr": "",
            "msgstr_plural": {},
            "flags": set(),
            "obsolete": False,
        }

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        elif line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
            if entry is None:
                entry = new()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if entry is None:
            entry = new()
        entry["obsolete"] = entry["obsolete"] or obsolete
        if line.startswith('"'):
            if field is None:
                raise ValueError(f"a continuation line with nothing to continue: {raw!r}")
            name, index = field
            if index is None:
                entry[name] += _unquote(line)
            else:
                entry["msgstr_plural"][index] += _unquote(line)
            continue
        keyword, _space, rest = line.partition(" ")
        starts_next = keyword == "msgctxt" or entry.get("_seen_msgstr")
        if keyword in ("msgctxt", "msgid") and "msgid" in entry and starts_next:
            finish()
            entry = new()
            entry["obsolete"] = obsolete
        if keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            entry["msgstr_plural"][index] = _unquote(rest)
            entry["_seen_msgstr"] = True
            field = ("msgstr_plural", index)
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            entry[keyword] = _unquote(rest)
            if keyword == "msgstr":
                entry["_seen_msgstr"] = True
            field = (keyword, None)
        else:
            raise ValueError(f"not a PO line: {raw!r}")
    finish()
    for item in entries:
        item.pop("_seen_msgstr", None)
    return entries


def read_po(path: Path | str) -> list[dict]:
    return parse_po(Path(path).read_text(encoding="utf-8"))


def catalogue(entries: list[dict]) -> dict:
    """What msgfmt compiles: translated, non-fuzzy, non-obsolete entries (and the header)."""
    compiled: dict = {}
    for entry in entries:
        if entry["obsolete"] or ("fuzzy" in entry["flags"] and entry["msgid"]):
            continue
        key = entry["msgid"]
        if entry["msgctxt"] is not None:
            key = f"{entry['msgctxt']}\x04{key}"
        if entry["msgid_plural"] is not None:
            forms = entry["msgstr_plural"]
            if not all(forms.values()):
                continue
            for index, form in forms.items():
                compiled[(key, index)] = form
        elif entry["msgstr"]:
            compiled[key] = entry["msgstr"]
    return compiled
