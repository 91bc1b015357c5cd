"""The embedded broker of ``make run``: kombu's file-system transport, with whole messages.

kombu's ``filesystem`` transport creates a message file and then writes into
it, while a worker moves away and reads whatever ``*.msg`` file it lists: a
worker that lists the folder between the two reads an empty file, fails to
decode it and stops (seen with beat sending detection tasks every minute).
Here a message is written under a name no worker reads and then renamed into
place, which is atomic on one file system, so a worker sees a message whole
or not at all.

Exchange tables had the same fault: binding a queue to a new exchange creates
its table file, and only then locks and writes it, so a publisher looking the
exchange up in between read an empty file. Here a new table appears whole,
with its first binding (linked into place); a table that exists is changed by
kombu under its lock, as before. And since kombu notes a binding in the
process before the table holds it, binds in one process take turns, so that
a second thread does not publish to a table not yet written.
"""

from __future__ import annotations

import os
import threading
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

__all__ = ["Channel", "Transport"]

_binding = threading.Lock()


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # Workers take only names ending in ".<queue>.msg"; this one ends in ".part".
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc

    def queue_bind(self, *args, **kwargs) -> None:
        # kombu records a binding in the process's state before it writes the table: another
        # thread that sees the binding skips its own and could publish before the table
        # exists, and its message would go to no queue. One bind at a time per process.
        with _binding:
            super().queue_bind(*args, **kwargs)

    def _queue_bind(self, exchange, routing_key, pattern, queue) -> None:
        table = self._exchange_file(exchange)
        if table.exists():
            super()._queue_bind(exchange, routing_key, pattern, queue)
            return
        self.control_folder.mkdir(exist_ok=True)
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        partial = table.with_name(f"{table.name}.{uuid.uuid4()}.part")
        try:
            partial.write_bytes(str_to_bytes(dumps([binding])))
            # A link, not a rename: a table another process has just made stays.
            os.link(partial, table)
            return
        except FileExistsError:
            pass  # made meanwhile by another process: kombu adds to it under its lock
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot create {table}") from exc
        finally:
            partial.unlink(missing_ok=True)
        super()._queue_bind(exchange, routing_key, pattern, queue)


class Transport(filesystem.Transport):
    Channel = Channel
