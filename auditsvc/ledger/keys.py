"""Signing keys: private halves in files or the environment, public halves in the database.

Private keys are C2SP/Go note private key strings
(``PRIVATE+KEY+name+keyid+base64(0x01 || seed)``), one per file
``AUDITSVC_KEY_DIR/<key id>.key`` (mode 0600, in a directory only its owner
can read) or one in ``settings.AUDITSVC_SIGNING_KEY``. They never enter the
database: a stolen database dump must not be enough to forge entries. What
the database holds is the public half, as ``PublishedKey`` rows, which
``GET /api/v1/keys`` publishes and verifiers find by ``key_id``.

Which key signs:

- entries: the newest published key (by ``valid_from``) that is not retired
  (``retired_at`` null or still in the future) and whose private key is
  loaded here;
- checkpoints: every such key, so that during a rotation's overlap a
  checkpoint carries both the old and the new signature and auditors who
  pinned either key can follow.

A loaded key that is not published signs nothing: publishing a key is a
decision with its own bureau-log entry (``publishing.key_publish``, run by
``manage.py auditsvc_keys publish``), never a side effect of appending.
"""

from __future__ import annotations

import datetime as dt
import logging
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from auditsvc.core.keys import KeyFormatError, SigningKey

from .errors import KeyFileExposed, NoSigningKey
from .models import PublishedKey

logger = logging.getLogger(__name__)

KEY_SUFFIX = ".key"
# A directory whose mtime is this recent may still change within the same
# timestamp tick (file systems stamp in coarse ticks), so it is re-scanned on
# the next call too rather than trusted as settled.
_SETTLE_SECONDS = 2.0
_GROUP_OR_OTHERS = stat.S_IRWXG | stat.S_IRWXO


@dataclass(frozen=True)
class _Loaded:
    stamp: tuple
    keys: dict[str, SigningKey] = field(repr=False)
    checked_at: float = 0.0


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _dir_stamp(key_dir: Path) -> tuple[str, int | None, int | None]:
    try:
        info = key_dir.stat()
    except FileNotFoundError:
        return str(key_dir), None, None
    return str(key_dir), info.st_mtime_ns, info.st_mode


def _exposed(path: Path, mode: int, what: str) -> None:
    """Refuse a key file or directory that group or others may use (only warn in DEBUG).

    Anyone who can read a private key can forge evidence; in development the
    checkout's default permissions are tolerated with a warning.
    """
    if not mode & _GROUP_OR_OTHERS:
        return
    if settings.DEBUG:
        logger.warning("signing key %s %s is readable by others; chmod it", what, path)
        return
    raise KeyFileExposed(
        f"The signing key {what} {path} is open to group or others "
        f"(mode {stat.S_IMODE(mode):o}); chmod {'700' if what == 'directory' else '600'} it."
    )


def _read_key_file(path: Path) -> SigningKey:
    _exposed(path, path.stat().st_mode, "file")
    try:
        return SigningKey.from_private_string(path.read_text(encoding="ascii"))
    except (KeyFormatError, UnicodeDecodeError) as exc:
        # The messages of KeyFormatError never include the key material.
        raise KeyFormatError(f"{path}: {exc}") from None


def _scan(key_dir: Path, env_key: str | None) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    if env_key:
        key = SigningKey.from_private_string(env_key)
        keys[key.key_id] = key
    if key_dir.is_dir():
        paths = sorted(key_dir.glob(f"*{KEY_SUFFIX}"))
        if paths:
            _exposed(key_dir, key_dir.stat().st_mode, "directory")
        for path in paths:
            try:
                key = _read_key_file(path)
            except FileNotFoundError:  # removed between listing and reading
                continue
            keys.setdefault(key.key_id, key)
    return keys


def load_private_keys() -> dict[str, SigningKey]:
    """Return the private keys available to this process, by key id.

    Read from ``settings.AUDITSVC_SIGNING_KEY`` and every ``*.key`` file of
    ``settings.AUDITSVC_KEY_DIR``. The result is cached and re-read when the
    directory's mtime or mode (or either setting) changes, so every gunicorn
    worker picks up a rotation without a restart. A malformed key raises
    ``KeyFormatError`` and, with DEBUG off, a key file or directory open to
    group or others raises ``KeyFileExposed``: a half-configured or exposed
    key store must be noticed.
    """
    global _loaded
    key_dir = Path(settings.AUDITSVC_KEY_DIR)
    env_key = settings.AUDITSVC_SIGNING_KEY
    # hash(), not the key itself: the stamp must not be one more copy of the secret.
    stamp = (*_dir_stamp(key_dir), hash(env_key), settings.DEBUG)
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


def active_q(now: dt.datetime) -> Q:
    """Published keys within their validity at ``now`` (not retired yet)."""
    return Q(retired_at__isnull=True) | Q(retired_at__gt=now)


def loaded_unpublished_keys() -> list[SigningKey]:
    """Private keys loaded here whose public half is not published: they sign nothing yet."""
    loaded = load_private_keys()
    published = set(
        PublishedKey.objects.filter(key_id__in=list(loaded)).values_list("key_id", flat=True)
    )
    return [key for key_id, key in loaded.items() if key_id not in published]


def entry_signing_key() -> SigningKey:
    """Return the key that signs new ledger entries.

    The newest published, non-retired key whose private key is loaded.
    Raises ``NoSigningKey`` saying what to do when nothing can sign: no key
    loaded, every loaded key retired, or the loaded keys not published yet.
    """
    loaded = load_private_keys()
    if not loaded:
        raise NoSigningKey(
            "No private signing key is loaded (AUDITSVC_KEY_DIR or AUDITSVC_SIGNING_KEY); "
            "run 'manage.py auditsvc_keys generate'."
        )
    now = timezone.now()
    rows = list(
        PublishedKey.objects.filter(key_id__in=list(loaded)).values_list(
            "key_id", "valid_from", "retired_at"
        )
    )
    active = [row for row in rows if row[2] is None or row[2] > now]
    if active:
        newest = max(active, key=lambda row: (row[1], row[0]))
        return loaded[newest[0]]
    if rows:
        raise NoSigningKey(
            "Every loaded signing key is retired; run 'manage.py auditsvc_keys rotate'."
        )
    raise NoSigningKey(
        f"The loaded signing key(s) {', '.join(sorted(loaded))} are not published, so they may "
        "not sign; publish them with 'manage.py auditsvc_keys publish' (a bureau-log decision)."
    )


def checkpoint_signing_keys() -> list[SigningKey]:
    """Return every key that signs checkpoints now, oldest first.

    All published keys within their overlap (``retired_at`` null or in the
    future) whose private key is loaded. Raises ``NoSigningKey`` when there is
    none.
    """
    entry_signing_key()  # raises, saying why, if nothing can sign
    loaded = load_private_keys()
    key_ids = (
        PublishedKey.objects.filter(active_q(timezone.now()), key_id__in=list(loaded))
        .order_by("valid_from", "key_id")
        .values_list("key_id", flat=True)
    )
    return [loaded[key_id] for key_id in key_ids]


def published_active_keys(*, now: dt.datetime | None = None) -> list[PublishedKey]:
    """Every published key within its validity (``retired_at`` null or in the future), oldest first.

    The same for every host, unlike the keys loaded here: what checkpoints
    should be signed with, whichever host signs them.
    """
    return list(
        PublishedKey.objects.filter(active_q(now or timezone.now())).order_by(
            "valid_from", "key_id"
        )
    )


def published_keys_missing_here() -> list[PublishedKey]:
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
