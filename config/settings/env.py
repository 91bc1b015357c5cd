"""What the environment says, read strictly, before any other setting.

A typo in a variable must stop start-up with the variable named, not quietly
switch a protection off: django-environ alone reads every unknown word as false.
The settings modules take their readers, ``DEBUG`` and the paths from here.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from auditsvc.base.rates import parse_rate
from partners.choices import DocumentType

__all__ = [
    "BASE_DIR",
    "DEBUG",
    "VAR_DIR",
    "env",
    "env_bool",
    "env_document_types",
    "env_rate",
    "env_secret",
]

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE``.

    Setting both is refused: an operator who mounts a secret file must not be
    surprised by a stale value left in the environment.
    """
    file_var = f"{name}_FILE"
    if name in env and file_var in env:
        raise ImproperlyConfigured(f"Set {name} or {file_var}, not both.")
    if file_var in env:
        path = Path(env.str(file_var))
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_var}: cannot read {path}: {exc}") from exc
    return env.str(name, default=default)


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, *, default: bool) -> bool:
    """A boolean from ``NAME``: 1/true/yes/on or 0/false/no/off (any case); unset = ``default``.

    Anything else (``enable``, ``ture``, an empty value) stops start-up with
    the variable named: django-environ reads every unknown word as false,
    which would silently switch off the second factor or HTTPS.
    """
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use 1, true, yes or on, or 0, false, no or off."
    )


def env_rate(name: str, *, default: str) -> str:
    """A rate such as ``600/min`` from ``NAME``, parsed now so a bad one stops start-up."""
    rate = env.str(name, default=default)
    try:
        parse_rate(rate)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    return rate


def env_document_types(name: str, *, default: list[str]) -> list[str]:
    """A non-empty list of qualification document types (partners.choices.DocumentType)."""
    values = [value.strip() for value in env.list(name, default=default)]
    unknown = [value for value in values if value not in DocumentType.values]
    if unknown or not [value for value in values if value]:
        raise ImproperlyConfigured(
            f"{name} must list one or more of {', '.join(DocumentType.values)} "
            f"(comma-separated); got {os.environ.get(name, '')!r}."
        )
    return list(dict.fromkeys(values))


DEBUG = env_bool("DJANGO_DEBUG", default=False)
VAR_DIR = Path(env.str("AUDITSVC_VAR_DIR", default=str(BASE_DIR / "var")))
