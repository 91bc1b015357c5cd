"""The offline verifier of export bundles and signed documents (``auditsvc-verify``).

Auditors run it on their own machine: it imports only the standard library,
``cryptography`` and ``auditsvc.core`` (import-linter holds that), so it also
ships as a single-file zip application (``make verifier`` builds
``dist/auditsvc-verify.pyz``). Modules, in the order a run uses them:

- ``bundle``: the zip, the signed manifest, file hashes, keys.json;
- ``records``: one line of entries.jsonl or fenceposts.jsonl (canonical form, leaf hash, signature);
- ``fences``: the fence posts around the range;
- ``chunks``: entries.jsonl in blocks over all cores;
- ``consistency``: the log only grew since a checkpoint the auditor kept;
- ``verify``: ``verify_bundle``, every check in order; ``report``: its verdict;
- ``documents``: signed letters and reports; ``cli``: the command.
"""

from .errors import VerificationFailed
from .report import Report
from .verify import verify_bundle

__all__ = ["Report", "VerificationFailed", "verify_bundle"]
