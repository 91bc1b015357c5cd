"""Template filters that turn the registry's codes into the labels people read.

{% load registry_labels %}
{{ access.violation_list|violation_labels|words }}
{{ access.fields|field_labels|words }}    (words: joined as the reader's language does)
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from partners.admin.labels import join_words, labels
from partners.choices import DataField, Violation

register = template.Library()


@register.filter
def violation_labels(codes: Iterable[str]) -> list[str]:
    return labels(Violation, codes)


@register.filter
def field_labels(codes: Iterable[str]) -> list[str]:
    return labels(DataField, codes)


@register.filter
def words(items: Iterable[object]) -> str:
    return join_words(items)
