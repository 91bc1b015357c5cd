"""The embedded broker of ``make run``: kombu's file-system transport, with whole messages.

kombu's ``filesystem`` transport creates a message file and then writes into
it, while a worker moves away and reads whatever ``*.msg`` file it lists: a
worker that lists the folder between the two reads an empty file, fails to
decode it and stops (seen with beat sending detection tasks every minute).
Here a message is written under a name no worker reads and then renamed into
place, which is atomic on one file system, so a worker sees a message whole
or not at all.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

__all__ = ["Channel", "Transport"]


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


class Transport(filesystem.Transport):
    Channel = Channel
