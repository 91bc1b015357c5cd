"""Fence posts: the entries just before and just after the range, which prove nothing was left out.

The log's recorded_at never decreases, so if the entry before the range was
recorded before ``from`` and the one after it at or after ``to``, and the
bundle's entries run without a gap from one to the other, then every entry
of the log in ``[from, to)`` is in the bundle. A fence post may be missing
only at the log's very start or end (its size fixed by the checkpoint).
"""

from __future__ import annotations

from dataclasses import dataclass

from .bundle import Bundle
from .errors import VerificationFailed
from .records import CheckedLeaf, LineRefused, LineRules, check_line

__all__ = ["FencePosts", "check_fence_posts", "read_fence_posts"]

FENCE_FILE = "fenceposts.jsonl"


@dataclass(frozen=True)
class FencePosts:
    """The fence posts found (either may be None), checked as entries but not yet placed."""

    before: CheckedLeaf | None
    after: CheckedLeaf | None


def read_fence_posts(bundle: Bundle, rules: LineRules) -> FencePosts:
    """Check fenceposts.jsonl's lines as entries (hash, signature, log); sort them before/after."""
    data = bundle.read_small(FENCE_FILE)
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    if len(lines) > 2:
        raise VerificationFailed(
            "malformed_file", f"{FENCE_FILE} holds {len(lines)} lines; at most 2", file=FENCE_FILE
        )
    posts = []
    for number, line in enumerate(lines, start=1):
        try:
            posts.append(check_line(line, None, rules))
        except LineRefused as refused:
            raise VerificationFailed(
                refused.check, f"fence post {number}: {refused.message}", file=FENCE_FILE
            ) from None
    manifest = bundle.manifest
    if len(posts) == 2:
        before, after = sorted(posts, key=lambda post: post.seq)
        return FencePosts(before, after)
    if len(posts) == 1:
        (post,) = posts
        if manifest.first_seq is not None:
            is_before = post.seq < manifest.first_seq
        else:
            is_before = post.recorded_at < manifest.range_from
        return FencePosts(post, None) if is_before else FencePosts(None, post)
    return FencePosts(None, None)


def _inside(post: CheckedLeaf, which: str, manifest_range: tuple[str, str]) -> VerificationFailed:
    start, end = manifest_range
    return VerificationFailed(
        "fence_post_inside_range",
        f"seq {post.seq}: the fence post {which} the range was recorded at {post.recorded_at}, "
        f"inside the range [{start}, {end}): an entry of the range was left out of entries.jsonl",
        file=FENCE_FILE,
        seq=post.seq,
    )


def check_fence_posts(fences: FencePosts, bundle: Bundle) -> tuple[int, int]:
    """Place the fence posts around the range; return the seqs ``(a, b)`` of the bundle's leaves.

    ``a..b`` runs from the fence post before (or the first entry) to the one
    after (or the last entry); ``b = a - 1`` only for an empty log.
    """
    manifest = bundle.manifest
    window = (manifest.range_from, manifest.range_to)
    size = manifest.tree_size
    before, after = fences.before, fences.after
    if before is not None and not before.recorded_at < manifest.range_from:
        raise _inside(before, "before", window)
    if after is not None and not after.recorded_at >= manifest.range_to:
        raise _inside(after, "after", window)

    if manifest.count:
        first, last = manifest.first_seq, manifest.last_seq
    else:
        # An empty range: the two fence posts must be neighbours.
        first = after.seq if after is not None else size
        last = first - 1
    if before is not None and before.seq != first - 1:
        raise VerificationFailed(
            "fence_post_gap",
            f"seq {before.seq}: the fence post before the range is seq {before.seq}, but the "
            f"range starts at seq {first}: the entries in between are missing",
            file=FENCE_FILE,
            seq=before.seq,
        )
    if after is not None and after.seq != last + 1:
        missing = (
            f"seq {last + 1}" if after.seq == last + 2 else f"seqs {last + 1}..{after.seq - 1}"
        )
        raise VerificationFailed(
            "fence_post_gap",
            f"seq {after.seq}: the fence post after the range is seq {after.seq}, but the range "
            f"ends at seq {last}: {missing} missing (the end of the range was removed)",
            file=FENCE_FILE,
            seq=after.seq,
        )
    if before is None and first != 0:
        raise VerificationFailed(
            "missing_fence_post",
            f"there is no fence post before the range, yet it starts at seq {first}, not at the "
            "log's first entry: nothing shows that the entries before it fall outside the range",
            file=FENCE_FILE,
        )
    if after is None and last + 1 != size:
        raise VerificationFailed(
            "missing_fence_post",
            f"there is no fence post after the range, yet it ends at seq {last} and the log "
            f"held {size} entries: nothing shows that the entries after it fall outside the "
            "range (the end may have been removed)",
            file=FENCE_FILE,
        )
    a = before.seq if before is not None else first
    b = after.seq if after is not None else last
    if b >= size:
        raise VerificationFailed(
            "fence_post_gap",
            f"seq {b}: the bundle holds seq {b}, beyond the log's size {size} at its checkpoint",
            seq=b,
        )
    return a, b
