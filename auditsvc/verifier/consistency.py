"""The log only grew: the bundle's checkpoint against a checkpoint the auditor kept.

An auditor who keeps each bundle's checkpoint.txt can later prove that the
log was never rewritten or cut back: the next bundle carries an RFC 6962
consistency proof (consistency.json) from the kept size to its own, checked
here with ``--previous-checkpoint``. A log cut back after the kept checkpoint
is caught too: a later tree can never be smaller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditsvc.core import merkle, notes
from auditsvc.core.canonical import b64decode_strict
from auditsvc.core.keys import VerifierKey

from .bundle import Bundle, load_json
from .errors import VerificationFailed

__all__ = ["ConsistencyProof", "check_previous", "read_consistency"]

CONSISTENCY_FILE = "consistency.json"


@dataclass(frozen=True)
class ConsistencyProof:
    """consistency.json: ``{"from": M, "to": N, "proof": ["<base64 hash>", ...]}``."""

    old_size: int
    new_size: int
    proof: list[bytes]


def read_consistency(bundle: Bundle) -> ConsistencyProof | None:
    """Parse consistency.json when the bundle has one; its ``to`` must be the bundle's tree size."""
    if not bundle.has(CONSISTENCY_FILE):
        return None
    data = load_json(bundle.read_small(CONSISTENCY_FILE), CONSISTENCY_FILE)
    shape_ok = (
        type(data) is dict
        and set(data) == {"from", "to", "proof"}
        and type(data["from"]) is int
        and type(data["to"]) is int
        and type(data["proof"]) is list
    )
    if not shape_ok:
        raise VerificationFailed(
            "malformed_file",
            f'{CONSISTENCY_FILE} is not {{"from": M, "to": N, "proof": [...]}}',
            file=CONSISTENCY_FILE,
        )
    try:
        proof = [b64decode_strict(item) for item in data["proof"]]
    except ValueError as exc:
        raise VerificationFailed(
            "malformed_file", f"{CONSISTENCY_FILE}: a proof hash: {exc}", file=CONSISTENCY_FILE
        ) from None
    if data["to"] != bundle.manifest.tree_size or not 0 <= data["from"] <= data["to"]:
        raise VerificationFailed(
            "malformed_file",
            f"{CONSISTENCY_FILE} proves sizes {data['from']} to {data['to']}, not up to the "
            f"bundle's tree size {bundle.manifest.tree_size}",
            file=CONSISTENCY_FILE,
        )
    declared = bundle.manifest.raw.get("previous_size")
    if declared is not None and declared != data["from"]:
        raise VerificationFailed(
            "malformed_file",
            f"{CONSISTENCY_FILE} starts at size {data['from']}, but the manifest's previous_size "
            f"is {declared}",
            file=CONSISTENCY_FILE,
        )
    return ConsistencyProof(data["from"], data["to"], proof)


def check_previous(
    previous_text: str | None,
    checkpoint: notes.Checkpoint,
    consistency: ConsistencyProof | None,
    trusted: Sequence[VerifierKey],
) -> dict[str, object] | None:
    """Check the bundle's checkpoint extends the auditor's kept one; None when none was given."""
    if previous_text is None:
        return None
    try:
        previous = notes.parse_checkpoint(notes.read_note(previous_text, trusted).text)
    except notes.NoteError as exc:
        raise VerificationFailed(
            "previous_checkpoint", f"the previous checkpoint you gave: {exc}"
        ) from None
    if previous.origin != checkpoint.origin:
        raise VerificationFailed(
            "previous_checkpoint",
            f"the previous checkpoint is for {previous.origin}, not for {checkpoint.origin}",
        )
    old, new = previous.size, checkpoint.size
    if old > new:
        raise VerificationFailed(
            "log_cut_back",
            f"the checkpoint you kept has tree size {old}, but this bundle's has {new}: the log "
            f"was cut back after your checkpoint (entries from seq {new} on are gone), or the "
            "bundle is older than it; a log only grows",
            file="checkpoint.txt",
        )
    if old == new or old == 0:
        proof: list[bytes] = []
    elif consistency is None or consistency.old_size != old:
        held = f"from size {consistency.old_size}" if consistency else "none"
        raise VerificationFailed(
            "no_consistency_proof",
            f"the bundle holds no consistency proof from your checkpoint's size {old} "
            f"(it holds {held}); export it again with previous_size {old}",
            file=CONSISTENCY_FILE,
        )
    else:
        proof = consistency.proof
    try:
        if old == 0:
            if previous.root != merkle.EMPTY_ROOT:
                raise merkle.ProofError(
                    "the root claimed for the empty tree is not SHA-256 of nothing"
                )
        else:
            merkle.verify_consistency(old, new, previous.root, checkpoint.root, proof)
    except merkle.ProofError as exc:
        raise VerificationFailed(
            "inconsistent",
            f"the log is not consistent with the checkpoint you kept (size {old}): {exc}; "
            f"its history before seq {old} was rewritten",
            file=CONSISTENCY_FILE,
        ) from None
    return {"size": old, "consistent": True}
