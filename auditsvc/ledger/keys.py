"""Signing keys: private halves in files or the environment, public halves in the database.

Private keys are C2SP/Go note private key strings
(``PRIVATE+KEY+name+keyid+base64(0x01 || seed)``), one per file
``AUDITSVC_KEY_DIR/<key id>.key`` (mode 0600) or one in
``settings.AUDITSVC_SIGNING_KEY``. They never enter the database: a stolen
database dump must not be enough to forge entries. What the database holds is
the public half, as ``SigningKey`` rows, which ``GET /api/v1/keys`` publishes
and verifiers find by ``key_id``.

Which key signs:

- entries: the newest published key (by ``valid_from``) that is not retired
  (``retired_at`` null or still in the future) and whose private key is
  loaded here;
- checkpoints: every such key, so that during a rotation's overlap a
  checkpoint carries both the old and the new signature and auditors who
  pinned either key can follow.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from auditsvc.errors import NoSigningKey
from auditsvc.ledger import signing
from auditsvc.ledger.canonical import format_time
from auditsvc.models import BUREAU_LOG_ID, LedgerKind, SigningKey

logger = logging.getLogger(__name__)

KEY_SUFFIX = ".key"
# A directory whose mtime is this recent may still change within the same
# timestamp tick (file systems stamp in coarse ticks), so it is re-scanned on
# the next call too rather than trusted as settled.
_SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class _Loaded:
    stamp: tuple
    keys: dict[str, signing.SigningKey] = field(repr=False)
    checked_at: float = 0.0


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _dir_stamp(key_dir: Path) -> tuple[str, int | None]:
    try:
        return str(key_dir), key_dir.stat().st_mtime_ns
    except FileNotFoundError:
        return str(key_dir), None


def _read_key_file(path: Path) -> signing.SigningKey:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Refusing would stop all recording; a loud warning lets operators fix it.
        logger.warning("signing key file %s is readable by others; chmod 600 it", path)
    try:
        return signing.SigningKey.from_private_string(path.read_text(encoding="ascii"))
    except (signing.KeyFormatError, UnicodeDecodeError) as exc:
        # The messages of KeyFormatError never include the key material.
        raise signing.KeyFormatError(f"{path}: {exc}") from None


def _scan(key_dir: Path, env_key: str | None) -> dict[str, signing.SigningKey]:
    keys: dict[str, signing.SigningKey] = {}
    if env_key:
        key = signing.SigningKey.from_private_string(env_key)
        keys[key.key_id] = key
    if key_dir.is_dir():
        for path in sorted(key_dir.glob(f"*{KEY_SUFFIX}")):
            try:
                key = _read_key_file(path)
            except FileNotFoundError:  # removed between listing and reading
                continue
            keys.setdefault(key.key_id, key)
    return keys


def load_private_keys() -> dict[str, signing.SigningKey]:
    """Return the private keys available to this process, by key id.

    Read from ``settings.AUDITSVC_SIGNING_KEY`` and every ``*.key`` file of
    ``settings.AUDITSVC_KEY_DIR``. The result is cached and re-read when the
    directory's mtime (or either setting) changes, so every gunicorn worker
    picks up a rotation without a restart. A malformed key raises
    ``signing.KeyFormatError``: a half-configured key store must be noticed.
    """
    global _loaded
    key_dir = Path(settings.AUDITSVC_KEY_DIR)
    env_key = settings.AUDITSVC_SIGNING_KEY
    # hash(), not the key itself: the stamp must not be one more copy of the secret.
    stamp = (*_dir_stamp(key_dir), hash(env_key))
    now = time.time()
    cached = _loaded
    if cached is not None and cached.stamp == stamp:
        mtime = stamp[1]
        if mtime is None or cached.checked_at - mtime / 1e9 > _SETTLE_SECONDS:
            return cached.keys
    with _lock:
        keys = _scan(key_dir, env_key)
        _loaded = _Loaded(stamp, keys, now)
    return keys


def forget_loaded_keys() -> None:
    """Drop the cache of ``load_private_keys`` (after writing a key file in this process)."""
    global _loaded
    _loaded = None


def _active_q(now: dt.datetime) -> Q:
    return Q(retired_at__isnull=True) | Q(retired_at__gt=now)


def _publish(key: signing.SigningKey, *, valid_from: dt.datetime | None = None) -> SigningKey:
    row, _ = SigningKey.objects.get_or_create(
        key_id=key.key_id,
        defaults={
            "name": key.name,
            "algorithm": "ed25519",
            "public_key": key.public_key,
            "verifier_key": key.verifier_string(),
            "valid_from": valid_from or timezone.now(),
        },
    )
    return row


def entry_signing_key() -> signing.SigningKey:
    """Return the key that signs new ledger entries.

    The newest published, non-retired key whose private key is loaded. A
    loaded key that is not published at all (an operator put it in the
    environment or the key directory by hand) is published on first use, so
    that every signature made can be checked against ``GET /api/v1/keys``.
    Raises ``NoSigningKey`` when nothing can sign.
    """
    loaded = load_private_keys()
    if not loaded:
        raise NoSigningKey(
            "No private signing key is loaded (AUDITSVC_KEY_DIR or AUDITSVC_SIGNING_KEY); "
            "run 'manage.py auditsvc_keys generate'."
        )
    now = timezone.now()
    rows = list(
        SigningKey.objects.filter(key_id__in=list(loaded)).values_list(
            "key_id", "valid_from", "retired_at"
        )
    )
    active = [row for row in rows if row[2] is None or row[2] > now]
    if active:
        newest = max(active, key=lambda row: (row[1], row[0]))
        return loaded[newest[0]]
    published = {row[0] for row in rows}
    unpublished = [key for key_id, key in loaded.items() if key_id not in published]
    if not unpublished:
        raise NoSigningKey(
            "Every loaded signing key is retired; run 'manage.py auditsvc_keys rotate'."
        )
    # The environment's key first: it is the one an operator chose explicitly.
    key = unpublished[0]
    _publish(key)
    logger.info("published signing key %s (%s) on first use", key.key_id, key.name)
    return key


def checkpoint_signing_keys() -> list[signing.SigningKey]:
    """Return every key that signs checkpoints now, oldest first.

    All published keys within their overlap (``retired_at`` null or in the
    future) whose private key is loaded. Raises ``NoSigningKey`` when there is
    none.
    """
    entry_signing_key()  # publishes a hand-provisioned key, raises if nothing can sign
    loaded = load_private_keys()
    key_ids = (
        SigningKey.objects.filter(_active_q(timezone.now()), key_id__in=list(loaded))
        .order_by("valid_from", "key_id")
        .values_list("key_id", flat=True)
    )
    return [loaded[key_id] for key_id in key_ids]


def _actor_name(actor) -> str | None:
    return actor.get_username() if actor is not None else None


def _write_key_file(key: signing.SigningKey) -> Path:
    key_dir = Path(settings.AUDITSVC_KEY_DIR)
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = key_dir / f"{key.key_id}{KEY_SUFFIX}"
    # Written under a name the scan ignores, then renamed: another worker
    # re-scanning at that moment never reads half a key. O_EXCL + 0600: the
    # secret is never readable by others, not even for an instant.
    temp = key_dir / f".{key.key_id}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.private_string() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            raise FileExistsError(f"{path} already exists")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    forget_loaded_keys()
    return path


def _published_body(row: SigningKey, actor) -> dict:
    return {
        "key_id": row.key_id,
        "name": row.name,
        "algorithm": row.algorithm,
        "verifier_key": row.verifier_key,
        "actor": _actor_name(actor),
    }


def key_generate(*, actor=None, name: str | None = None) -> SigningKey:
    """Generate a new signing key, store its private half in the key directory and publish it.

    Writes a bureau-log entry ``key.published`` naming the key. From now on
    the new key is the newest, so it signs new entries. Returns the
    published ``SigningKey`` row. If publishing fails the key file is
    removed again, so no unpublished key is left behind.
    """
    from auditsvc.ledger.services import ledger_append

    key = signing.SigningKey.generate(name or settings.AUDITSVC_ORIGIN)
    path = _write_key_file(key)
    try:
        with transaction.atomic():
            row = _publish(key)
            ledger_append(BUREAU_LOG_ID, LedgerKind.KEY_PUBLISHED, _published_body(row, actor))
    except BaseException:
        path.unlink(missing_ok=True)
        forget_loaded_keys()
        raise
    logger.info("generated and published signing key %s (%s)", row.key_id, row.name)
    return row


def key_rotate(*, actor=None, overlap_hours: int | None = None) -> SigningKey:
    """Generate and publish a new key and retire the previous active ones after an overlap.

    Every key that was active (``retired_at`` null or later than the new
    end) gets ``retired_at = now + overlap_hours`` (default
    ``AUDITSVC_KEY_OVERLAP_HOURS``): until then checkpoints carry both
    signatures, afterwards it signs nothing but stays published. Writes
    ``key.published`` and one ``key.retired`` bureau-log entry per retired
    key. Returns the new key's row.
    """
    from auditsvc.ledger.services import ledger_append

    hours = settings.AUDITSVC_KEY_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    if hours < 0:
        raise ValueError("overlap_hours must not be negative")
    key = signing.SigningKey.generate(settings.AUDITSVC_ORIGIN)
    path = _write_key_file(key)
    try:
        with transaction.atomic():
            now = timezone.now()
            retire_at = now + dt.timedelta(hours=hours)
            previous = list(
                SigningKey.objects.select_for_update()
                .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=retire_at))
                .order_by("valid_from", "key_id")
            )
            row = _publish(key, valid_from=now)
            ledger_append(BUREAU_LOG_ID, LedgerKind.KEY_PUBLISHED, _published_body(row, actor))
            for old in previous:
                old.retired_at = retire_at
                old.save(update_fields=["retired_at"])
                ledger_append(
                    BUREAU_LOG_ID,
                    LedgerKind.KEY_RETIRED,
                    {
                        "key_id": old.key_id,
                        "name": old.name,
                        "verifier_key": old.verifier_key,
                        "retired_at": format_time(retire_at),
                        "replaced_by": row.key_id,
                        "actor": _actor_name(actor),
                    },
                )
    except BaseException:
        path.unlink(missing_ok=True)
        forget_loaded_keys()
        raise
    logger.info("rotated signing keys: %s replaces %s", row.key_id, [k.key_id for k in previous])
    return row


def published_active_keys(*, now: dt.datetime | None = None) -> list[SigningKey]:
    """Every published key within its validity (``retired_at`` null or in the future), oldest first.

    The same for every host, unlike the keys loaded here: what checkpoints
    should be signed with, whichever host signs them.
    """
    return list(
        SigningKey.objects.filter(_active_q(now or timezone.now())).order_by("valid_from", "key_id")
    )


def published_keys_missing_here() -> list[SigningKey]:
    """The published, not yet retired keys whose private half is not loaded on this host.

    During a rotation the new key file must reach every host that runs web
    or worker before the overlap ends; a host without it signs entries with
    the old key until then and its checkpoints lack the new signature.
    """
    loaded = load_private_keys()
    return [row for row in published_active_keys() if row.key_id not in loaded]


def private_key_present(key_id: str) -> bool:
    """Whether the private half of ``key_id`` is loaded in this process."""
    return key_id in load_private_keys()
