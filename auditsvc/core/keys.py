"""Ed25519 keys in the C2SP signed-note format, and ledger entry signatures.

A key has a name (the service origin, e.g. ``audit.ybj.example``) and a key
id: the 8 lowercase hex characters of SHA-256(name || "\\n" || 0x01 ||
32-byte public key)[:4], the key hash of C2SP signed notes (0x01 is the
Ed25519 signature type). Keys travel as note key strings, which is what the
Go ``golang.org/x/mod/sumdb/note`` package reads and writes:

- verifier key (public, what auditors pin): ``name+keyid+base64(0x01 || public key)``
- private key (secret): ``PRIVATE+KEY+name+keyid+base64(0x01 || 32-byte seed)``

Entry signatures are Ed25519 over ``b"auditsvc:entry:v1:" + leaf_hash``: the
prefix keeps them from ever being mistaken for a signature over a note or
anything else signed with the same key.

This module imports nothing from Django: the offline verifier uses it too.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import b64decode_strict

__all__ = [
    "ALGORITHM_ED25519",
    "ENTRY_CONTEXT",
    "KeyFormatError",
    "SigningKey",
    "VerifierKey",
    "check_key_name",
    "key_id",
    "sign_entry",
    "verify_entry",
]

#: The C2SP signed-note signature type byte of Ed25519.
ALGORITHM_ED25519 = 0x01

#: Domain separation for entry signatures (see the module docstring).
ENTRY_CONTEXT = b"auditsvc:entry:v1:"

_KEY_ID_RE = re.compile(r"[0-9a-f]{8}")


class KeyFormatError(ValueError):
    """A key name or key string is malformed or inconsistent."""


def check_key_name(name: str) -> None:
    """Raise ``KeyFormatError`` unless ``name`` is a valid C2SP key name.

    Names are non-empty and hold no whitespace (which would split a signature
    line), no "+" (which separates the fields of a key string) and no control
    characters (which notes may not contain).
    """
    if type(name) is not str or not name:
        raise KeyFormatError("a key name must be a non-empty string")
    if "+" in name or any(ch.isspace() or ch < " " for ch in name):
        raise KeyFormatError(f"key name {name!r} contains '+', whitespace or a control character")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise KeyFormatError(f"key name {name!r} is not valid Unicode") from None


def key_id(name: str, public_key: bytes) -> str:
    """Return the key id: SHA-256(name || "\\n" || 0x01 || public_key)[:4] as 8 lowercase hex."""
    check_key_name(name)
    if len(public_key) != 32:
        raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ALGORITHM_ED25519]) + public_key
    ).digest()
    return digest[:4].hex()


def _decode_key_material(encoded: str, what: str) -> bytes:
    # The messages never quote `encoded`: for a private key it is the secret.
    try:
        material = b64decode_strict(encoded)
    except ValueError:
        raise KeyFormatError(f"the {what} is not valid base64") from None
    if len(material) != 33:
        raise KeyFormatError(f"the {what} must encode 33 bytes (0x01 and 32 key bytes)")
    if material[0] != ALGORITHM_ED25519:
        raise KeyFormatError(
            f"the {what} has algorithm byte 0x{material[0]:02x}; only Ed25519 (0x01) is supported"
        )
    return material[1:]


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class VerifierKey:
    """A public Ed25519 key with its C2SP name and key id; verifies signatures."""

    name: str
    public_key: bytes
    key_id: str
    _public: Ed25519PublicKey = field(repr=False, compare=False)

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> VerifierKey:
        """Build a verifier from a key name and the 32 raw public key bytes."""
        try:
            public = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError:
            raise KeyFormatError("not a valid 32-byte Ed25519 public key") from None
        return cls(name, bytes(public_key), key_id(name, public_key), public)

    @classmethod
    def from_string(cls, verifier_string: str) -> VerifierKey:
        """Parse ``name+keyid+base64(0x01 || public key)``, checking the algorithm and key id."""
        if type(verifier_string) is not str:
            raise KeyFormatError("a verifier key must be a string")
        parts = verifier_string.strip().split("+", 2)
        if len(parts) != 3:
            raise KeyFormatError(
                f"a verifier key looks like name+keyid+base64key, not {verifier_string!r}"
            )
        name, claimed_id, encoded = parts
        check_key_name(name)
        if not _KEY_ID_RE.fullmatch(claimed_id):
            raise KeyFormatError(f"key id {claimed_id!r} is not 8 lowercase hex characters")
        key = cls.from_public_key(name, _decode_key_material(encoded, "verifier key"))
        if key.key_id != claimed_id:
            raise KeyFormatError(
                f"verifier key {name!r} claims key id {claimed_id}, "
                f"but its key hashes to {key.key_id}"
            )
        return key

    def verifier_string(self) -> str:
        """Return ``name+keyid+base64(0x01 || public key)``, the form auditors pin."""
        material = bytes([ALGORITHM_ED25519]) + self.public_key
        return f"{self.name}+{self.key_id}+{base64.b64encode(material).decode('ascii')}"

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is this key's Ed25519 signature over ``data``."""
        if len(signature) != 64:
            return False
        try:
            self._public.verify(bytes(signature), bytes(data))
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """A private Ed25519 key with its C2SP name and key id.

    ``repr`` never shows the private key; ``private_string()`` is the only way
    to get the secret out.
    """

    name: str
    private: Ed25519PrivateKey = field(repr=False, compare=False)
    public_key: bytes
    key_id: str

    def __post_init__(self) -> None:
        if _raw_public(self.private.public_key()) != self.public_key:
            raise KeyFormatError("public_key does not belong to the private key")
        if key_id(self.name, self.public_key) != self.key_id:
            raise KeyFormatError(f"key id {self.key_id} does not match key {self.name!r}")

    @classmethod
    def _from_private(cls, name: str, private: Ed25519PrivateKey) -> SigningKey:
        public_key = _raw_public(private.public_key())
        return cls(name, private, public_key, key_id(name, public_key))

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """Generate a new random key called ``name``."""
        check_key_name(name)
        return cls._from_private(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_private_string(cls, private_string: str) -> SigningKey:
        """Parse ``PRIVATE+KEY+name+keyid+base64(0x01 || seed)``, checking the algorithm and key id.

        Error messages never include the key material.
        """
        if type(private_string) is not str:
            raise KeyFormatError("a private key must be a string")
        parts = private_string.strip().split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise KeyFormatError(
                "a private key looks like PRIVATE+KEY+name+keyid+base64key (value not shown)"
            )
        _, _, name, claimed_id, encoded = parts
        check_key_name(name)
        if not _KEY_ID_RE.fullmatch(claimed_id):
            raise KeyFormatError(f"key id {claimed_id!r} is not 8 lowercase hex characters")
        seed = _decode_key_material(encoded, "private key")
        key = cls._from_private(name, Ed25519PrivateKey.from_private_bytes(seed))
        if key.key_id != claimed_id:
            raise KeyFormatError(
                f"private key {name!r} claims key id {claimed_id}, "
                f"but its key hashes to {key.key_id}"
            )
        return key

    def private_string(self) -> str:
        """Return ``PRIVATE+KEY+name+keyid+base64(0x01 || seed)``. This is the secret."""
        seed = self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        material = base64.b64encode(bytes([ALGORITHM_ED25519]) + seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.key_id}+{material}"

    def verifier(self) -> VerifierKey:
        """Return the public half of this key."""
        return VerifierKey(self.name, self.public_key, self.key_id, self.private.public_key())

    def verifier_string(self) -> str:
        """Return ``name+keyid+base64(0x01 || public key)``, the form auditors pin."""
        return self.verifier().verifier_string()

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature over ``data``."""
        return self.private.sign(bytes(data))


def sign_entry(key: SigningKey, leaf_hash: bytes) -> bytes:
    """Sign a ledger entry: Ed25519 over ``ENTRY_CONTEXT + leaf_hash`` (32 bytes)."""
    if len(leaf_hash) != 32:
        raise ValueError(f"a leaf hash is 32 bytes, not {len(leaf_hash)}")
    return key.sign(ENTRY_CONTEXT + leaf_hash)


def verify_entry(verifier: VerifierKey, leaf_hash: bytes, signature: bytes) -> bool:
    """Return whether ``signature`` is ``verifier``'s signature of the entry with ``leaf_hash``.

    Also False for a leaf hash that is not 32 bytes, which no entry has.
    """
    if len(leaf_hash) != 32:
        return False
    return verifier.verify(ENTRY_CONTEXT + bytes(leaf_hash), signature)
