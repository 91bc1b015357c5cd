"""The ``auditsvc-verify`` command: verify an export bundle, or a signed document, offline.

    auditsvc-verify BUNDLE.zip --trusted-key VERIFIER_KEY [--previous-checkpoint FILE]
                    [--fast] [--json] [--jobs N]
    auditsvc-verify document FILE.json --trusted-key VERIFIER_KEY [--json]

Exit status: 0 when everything holds, 1 when a check fails (the message
names the first bad seq or file and why), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from auditsvc.core.keys import KeyFormatError, VerifierKey

from .documents import verify_document_file
from .verify import verify_bundle

__all__ = ["main"]


def _trusted_keys(parser: argparse.ArgumentParser, values: list[str]) -> list[VerifierKey]:
    keys = []
    for value in values:
        try:
            keys.append(VerifierKey.from_string(value))
        except KeyFormatError as exc:
            parser.error(f"--trusted-key: {exc}")
    return keys


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trusted-key",
        action="append",
        required=True,
        metavar="VERIFIER_KEY",
        help="the service's verifier key (name+keyid+base64), pinned out of band; "
        "repeat it for each key of a rotation",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON report")


def _bundle_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditsvc-verify",
        description="Verify an auditsvc export bundle offline (or: auditsvc-verify document "
        "FILE.json --trusted-key KEY for a signed letter or report).",
    )
    parser.add_argument("bundle", metavar="BUNDLE.zip")
    _add_common(parser)
    parser.add_argument(
        "--previous-checkpoint",
        metavar="FILE",
        help="a checkpoint.txt you kept from an earlier bundle: the log must have only grown since",
    )
    parser.add_argument(
        "--fast", action="store_true", help="skip the entry signatures (everything else is checked)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="processes for entries (default: all cores)",
    )
    return parser


def _document_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditsvc-verify document",
        description="Verify a signed auditsvc document (a letter or a resident's access report).",
    )
    parser.add_argument("file", metavar="FILE.json")
    _add_common(parser)
    return parser


def _print(as_json: bool, payload: dict[str, object], line: str) -> None:
    if as_json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["document"]:
        parser = _document_parser()
        options = parser.parse_args(args[1:])
        trusted = _trusted_keys(parser, options.trusted_key)
        result = verify_document_file(options.file, trusted)
        _print(options.json, result.as_json(), result.verdict())
        return 0 if result.ok else 1

    parser = _bundle_parser()
    options = parser.parse_args(args)
    trusted = _trusted_keys(parser, options.trusted_key)
    previous = None
    if options.previous_checkpoint:
        try:
            with open(options.previous_checkpoint, encoding="utf-8") as handle:
                previous = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            parser.error(f"--previous-checkpoint: {exc}")
    if options.jobs is not None and options.jobs < 1:
        parser.error("--jobs must be at least 1")
    report = verify_bundle(
        options.bundle,
        trusted,
        previous_checkpoint=previous,
        fast=options.fast,
        jobs=options.jobs,
    )
    _print(options.json, report.as_json(), report.verdict())
    return 0 if report.ok else 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
