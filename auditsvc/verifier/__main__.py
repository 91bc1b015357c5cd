"""``python -m auditsvc.verifier`` is ``auditsvc-verify``."""

import sys

from auditsvc.verifier.cli import main

if __name__ == "__main__":
    sys.exit(main())
