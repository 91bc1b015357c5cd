"""Translatable names for models and fields, given at start-up rather than in the models.

A field declared without a ``verbose_name`` gets one derived from its name
("legal name"), a plain English string that no catalogue translates; giving it
one in the model would change the migration state (``makemigrations`` would
write a migration that changes nothing in the database). Names given here, in
an app's ``ready()``, are what every page reads, while the migration state
keeps what the model declared: Django's autodetector reads a field's
constructor arguments and a model's declared ``Meta``, not these attributes.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise


def name_model(
    model: type[models.Model],
    singular: Promise | None = None,
    plural: Promise | None = None,
    **fields: Promise,
) -> None:
    """Name ``model`` (singular and plural) and some of its fields in translatable words."""
    if singular is not None:
        model._meta.verbose_name = singular
    if plural is not None:
        model._meta.verbose_name_plural = plural
    for field_name, label in fields.items():
        model._meta.get_field(field_name).verbose_name = label
