"""The zip of an export bundle: the same bytes for the same members, written while read.

Every member is dated with the bundle's ``created_at`` (UTC, as zip stores
it: to the even second), marked as made on Unix with mode 0644, and deflated
at level 1: nothing in the archive depends on when, where or how often it is
written. Level 1 because the members are mostly hashes and signatures, which
deflate barely shrinks at any level, while level 6 took twice the time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import zipfile
from queue import Queue
from typing import Any, BinaryIO

__all__ = ["BundleZip"]

# Chunks of a streamed member waiting to be compressed (about 4 MB each at most).
_QUEUED = 3


class BundleZip:
    """A deterministic zip writer that keeps the SHA-256 of every member it writes."""

    def __init__(self, out: BinaryIO, created_at: dt.datetime) -> None:
        utc = created_at.astimezone(dt.UTC)
        self.date_time = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.digests: dict[str, str] = {}

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, whatever the platform writing it
        info.external_attr = 0o100644 << 16
        return info

    def write(self, name: str, data: bytes) -> None:
        self.digests[name] = hashlib.sha256(data).hexdigest()
        self.zip.writestr(self._info(name), data)

    def stream(self, name: str, chunks: Any) -> None:
        """Write ``name`` from an iterable of byte chunks.

        The chunks are made here (database reads: this thread's connection,
        which in a test is the test's transaction) while a second thread
        compresses and hashes the previous ones; zlib and hashlib let go of
        the GIL on large buffers, so the two overlap on two cores. At most
        ``_QUEUED`` chunks wait between them: memory stays flat.
        """
        digest = hashlib.sha256()
        queue: Queue[bytes | None] = Queue(maxsize=_QUEUED)
        failure: list[BaseException] = []

        # zip64 always for streamed members: their size is unknown until the end.
        with self.zip.open(self._info(name), "w", force_zip64=True) as member:

            def write() -> None:
                while (chunk := queue.get()) is not None:
                    if failure:
                        continue  # drain, so the producer never blocks on a dead writer
                    try:
                        digest.update(chunk)
                        member.write(chunk)
                    except BaseException as exc:  # handed to the producing thread
                        failure.append(exc)

            writer = threading.Thread(target=write, name=f"bundle-{name}", daemon=True)
            writer.start()
            try:
                for chunk in chunks:
                    if failure:
                        break
                    queue.put(chunk)
            finally:
                queue.put(None)
                writer.join()
            if failure:
                raise failure[0]
        self.digests[name] = digest.hexdigest()

    def close(self) -> None:
        self.zip.close()
