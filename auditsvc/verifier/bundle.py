"""Opening an export bundle: the zip, its signed manifest, the file hashes and the keys.

Nothing in the bundle is believed until the manifest's signature verifies
with a key the auditor trusts and every file matches the SHA-256 the
manifest gives it (entries.jsonl is hashed while it is checked, see
``chunks``). Keys found only inside the bundle are listed, never trusted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditsvc.core.canonical import (
    CanonicalError,
    b64decode_strict,
    canonical_bytes,
    format_time,
    parse_time,
)
from auditsvc.core.keys import KeyFormatError, VerifierKey

from .errors import VerificationFailed
from .records import LineRefused, loads_strict

__all__ = [
    "BUNDLE_FORMAT",
    "Bundle",
    "BundleKey",
    "Manifest",
    "open_bundle",
    "read_keys",
]

BUNDLE_FORMAT = "auditsvc-bundle/1"
MANIFEST = "manifest.json"
MANIFEST_SIG = "manifest.sig"
REQUIRED_FILES = ("entries.jsonl", "fenceposts.jsonl", "proof.json", "checkpoint.txt", "keys.json")
OPTIONAL_FILES = ("consistency.json",)
#: Every file but entries.jsonl is small; a larger one is refused rather than read into memory.
SMALL_FILE_LIMIT = 16 << 20


@dataclass(frozen=True)
class Manifest:
    """The signed manifest's fields that the checks use (the rest is shown, not checked)."""

    origin: str
    log: str
    range_from: str
    range_to: str
    first_seq: int | None
    last_seq: int | None
    count: int
    tree_size: int
    files: dict[str, str]
    key_id: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class BundleKey:
    """A key listed in keys.json, and whether the auditor trusts it."""

    key_id: str
    name: str
    verifier_key: str
    trusted: bool


@dataclass
class Bundle:
    """An open bundle whose manifest verified; small files are read and hash-checked on demand."""

    path: str
    zip: zipfile.ZipFile
    manifest: Manifest
    manifest_signer: VerifierKey

    def read_small(self, name: str) -> bytes:
        """Read a small file and check it against the manifest's SHA-256."""
        data = read_member(self.zip, name, limit=SMALL_FILE_LIMIT)
        check_file_hash(self.manifest, name, hashlib.sha256(data).hexdigest())
        return data

    def has(self, name: str) -> bool:
        """Whether the zip holds ``name`` (for the optional consistency.json)."""
        return name in self.zip.NameToInfo

    def close(self) -> None:
        """Close the zip."""
        self.zip.close()


def read_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    """Read one member of the zip, refusing a damaged one or one larger than ``limit``."""
    try:
        with archive.open(name) as stream:
            data = stream.read(limit + 1)
    except KeyError:
        raise VerificationFailed("missing_file", f"the bundle has no {name}", file=name) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise VerificationFailed(
            "unreadable_zip", f"{name} cannot be read from the zip (damaged: {exc})", file=name
        ) from None
    if len(data) > limit:
        raise VerificationFailed(
            "malformed_file", f"{name} is larger than {limit} bytes", file=name
        )
    return data


def check_file_hash(manifest: Manifest, name: str, sha256_hex: str) -> None:
    """Refuse a file whose SHA-256 is not the manifest's."""
    if manifest.files.get(name) != sha256_hex:
        raise VerificationFailed(
            "file_mismatch",
            f"{name} does not match the manifest (its SHA-256 differs): the file was changed",
            file=name,
        )


def load_json(data: bytes, name: str) -> Any:
    """Parse a JSON file of the bundle, refusing duplicate keys."""
    try:
        return loads_strict(data)
    except LineRefused as refused:
        raise VerificationFailed(
            "malformed_file", f"{name}: {refused.message}", file=name
        ) from None


def range_time(value: Any, what: str) -> str:
    """A range end as a ledger time string (RFC 3339 with any offset is accepted)."""
    if type(value) is not str:
        raise VerificationFailed("malformed_manifest", f"the manifest's {what} is not a time")
    try:
        return format_time(parse_time(value))
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(value)
        return format_time(parsed)
    except ValueError:
        raise VerificationFailed(
            "malformed_manifest", f"the manifest's {what} {value!r} is not an RFC 3339 time"
        ) from None


def _int_or_none(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is not None and (type(value) is not int or value < 0):
        raise VerificationFailed(
            "malformed_manifest", f"the manifest's {key} is not a non-negative integer"
        )
    return value


def parse_manifest(raw: Any) -> Manifest:
    """Read the fields the checks need; ``VerificationFailed`` when one is missing or malformed."""
    if type(raw) is not dict:
        raise VerificationFailed("malformed_manifest", "manifest.json is not an object")
    if raw.get("format") != BUNDLE_FORMAT:
        raise VerificationFailed(
            "malformed_manifest",
            f"manifest format {raw.get('format')!r} is not {BUNDLE_FORMAT}: "
            "this verifier does not know it",
        )
    for key in ("origin", "log", "key_id"):
        if type(raw.get(key)) is not str or not raw[key]:
            raise VerificationFailed("malformed_manifest", f"the manifest has no {key}")
    requested = raw.get("range")
    if type(requested) is not dict:
        raise VerificationFailed("malformed_manifest", "the manifest has no range")
    files = raw.get("files")
    if type(files) is not dict or not all(type(v) is str for v in files.values()):
        raise VerificationFailed("malformed_manifest", "the manifest has no file hashes")
    count, tree_size = _int_or_none(raw, "count"), _int_or_none(raw, "tree_size")
    if count is None or tree_size is None:
        raise VerificationFailed("malformed_manifest", "the manifest lacks count or tree_size")
    first_seq, last_seq = _int_or_none(raw, "first_seq"), _int_or_none(raw, "last_seq")
    if (count == 0) != (first_seq is None) or (first_seq is None) != (last_seq is None):
        raise VerificationFailed(
            "malformed_manifest", "the manifest's count, first_seq and last_seq disagree"
        )
    if first_seq is not None and last_seq - first_seq + 1 != count:
        raise VerificationFailed(
            "malformed_manifest", "the manifest's count, first_seq and last_seq disagree"
        )
    range_from = range_time(requested.get("from"), "range start")
    range_to = range_time(requested.get("to"), "range end")
    if range_to < range_from:
        raise VerificationFailed("malformed_manifest", "the manifest's range ends before it starts")
    return Manifest(
        origin=raw["origin"],
        log=raw["log"],
        range_from=range_from,
        range_to=range_to,
        first_seq=first_seq,
        last_seq=last_seq,
        count=count,
        tree_size=tree_size,
        files=files,
        key_id=raw["key_id"],
        raw=raw,
    )


def _untrusted_hint(key_id: str, archive: zipfile.ZipFile) -> str:
    try:
        raw = read_member(archive, "keys.json", limit=SMALL_FILE_LIMIT)
        listed = {key.key_id for key in read_keys(raw, [])}
    except VerificationFailed:
        listed = set()
    if key_id in listed:
        return (
            "it is only in the bundle's keys.json, and keys found only inside the bundle "
            "are not trusted"
        )
    return "no trusted key has that id"


def open_bundle(path: str, trusted: Sequence[VerifierKey]) -> Bundle:
    """Open the zip, check its file list and the manifest's signature; return the bundle."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise VerificationFailed("unreadable_zip", f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise VerificationFailed(
            "unreadable_zip", f"{path} is not a complete zip file (truncated or damaged: {exc})"
        ) from None
    try:
        return _open(path, archive, trusted)
    except BaseException:
        archive.close()
        raise


def _check_manifest_signature(
    archive: zipfile.ZipFile, raw: dict[str, Any], key_id: str, trusted: Sequence[VerifierKey]
) -> VerifierKey:
    """The trusted key whose signature over the manifest's RFC 8785 bytes verifies."""
    try:
        signature = b64decode_strict(
            read_member(archive, MANIFEST_SIG, limit=1024).decode("ascii").strip()
        )
    except (ValueError, UnicodeDecodeError):
        raise VerificationFailed(
            "malformed_file", "manifest.sig is not a base64 signature", file=MANIFEST_SIG
        ) from None
    keys = [key for key in trusted if key.key_id == key_id]
    if not keys:
        raise VerificationFailed(
            "untrusted_key",
            f"the manifest is signed by key {key_id}: {_untrusted_hint(key_id, archive)}",
            file=MANIFEST_SIG,
        )
    try:
        signed = canonical_bytes(raw)
    except CanonicalError as exc:
        raise VerificationFailed(
            "malformed_manifest", f"the manifest is not canonical JSON: {exc}", file=MANIFEST
        ) from None
    signer = next((key for key in keys if key.verify(signed, signature)), None)
    if signer is None:
        raise VerificationFailed(
            "manifest_signature",
            f"the manifest's signature by key {key_id} does not verify: the manifest was changed",
            file=MANIFEST_SIG,
        )
    return signer


def _open(path: str, archive: zipfile.ZipFile, trusted: Sequence[VerifierKey]) -> Bundle:
    """The file list, then the manifest's signature, then its fields and file list."""
    names = archive.namelist()
    if len(names) != len(set(names)):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise VerificationFailed(
            "malformed_bundle", f"the zip holds {', '.join(twice)} more than once", file=twice[0]
        )
    for name in (MANIFEST, MANIFEST_SIG, *REQUIRED_FILES):
        if name not in names:
            raise VerificationFailed("missing_file", f"the bundle has no {name}", file=name)
    known = {MANIFEST, MANIFEST_SIG, *REQUIRED_FILES, *OPTIONAL_FILES}
    for name in names:
        if name not in known:
            raise VerificationFailed(
                "malformed_bundle", f"the bundle holds {name}, which is no part of it", file=name
            )

    raw = load_json(read_member(archive, MANIFEST, limit=SMALL_FILE_LIMIT), MANIFEST)
    key_id = raw.get("key_id") if type(raw) is dict else None
    if type(key_id) is not str:
        raise VerificationFailed(
            "malformed_manifest", "manifest.json is not an object with a key_id", file=MANIFEST
        )
    signer = _check_manifest_signature(archive, raw, key_id, trusted)
    # Only now, signed by a trusted key, are the manifest's fields worth reading.
    manifest = parse_manifest(raw)

    listed = set(manifest.files)
    present = set(names) - {MANIFEST, MANIFEST_SIG}
    if listed != present:
        missing, extra = sorted(listed - present), sorted(present - listed)
        detail = "; ".join(
            part
            for part in (
                f"listed but absent: {', '.join(missing)}" if missing else "",
                f"present but not listed: {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise VerificationFailed(
            "file_mismatch",
            f"the manifest's files are not the bundle's ({detail})",
            file=(missing or extra)[0],
        )
    return Bundle(path, archive, manifest, signer)


def read_keys(raw: bytes, trusted: Sequence[VerifierKey]) -> list[BundleKey]:
    """Parse keys.json's bytes; each key says whether the auditor trusts it."""
    data = load_json(raw, "keys.json")
    if type(data) is not dict or type(data.get("keys")) is not list:
        raise VerificationFailed(
            "malformed_file", 'keys.json is not {"keys": [...]}', file="keys.json"
        )
    pinned = {(key.key_id, key.public_key) for key in trusted}
    result = []
    for item in data["keys"]:
        try:
            key = VerifierKey.from_string(item["verifier_key"])
            public = b64decode_strict(item["public_key"])
        except (KeyError, TypeError, ValueError, KeyFormatError) as exc:
            raise VerificationFailed(
                "malformed_file", f"keys.json: a key is malformed ({exc})", file="keys.json"
            ) from None
        if (key.key_id, key.name, key.public_key) != (item.get("key_id"), item.get("name"), public):
            raise VerificationFailed(
                "malformed_file",
                f"keys.json: key {item.get('key_id')}'s fields do not match its verifier_key",
                file="keys.json",
            )
        trusted_here = (key.key_id, key.public_key) in pinned
        result.append(BundleKey(key.key_id, key.name, key.verifier_string(), trusted_here))
    return result
