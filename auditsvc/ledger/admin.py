"""Read-only admin of the signed ledger: entries, checkpoints, keys and log heads.

The ledger is append only in code and in the database (triggers), so nobody
adds, changes or deletes anything here, superusers included. Auditors and
staff with the view permission search and read; an entry's page shows the
exact canonical JSON that was hashed, its leaf hash, its signature and
whether the signature verifies under the published key.
"""

from __future__ import annotations

import json
import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from auditsvc.core import keys as core_keys
from auditsvc.core import merkle
from auditsvc.core.canonical import b64encode

from .keys import private_key_present
from .kinds import registered_kinds
from .models import LedgerEntry, Log, PublishedKey, SignedCheckpoint


class LedgerReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete permission for anyone: the page is a view."""

    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over millions of entries on every page is slow

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class KindFilter(admin.SimpleListFilter):
    """Entries of one kind; the choices are the registered kinds (no DISTINCT over the table)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind, kind) for kind in sorted(registered_kinds())]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(kind=value) if value else queryset


def _pre(text: str):
    return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)


#: A receipt as people write it: the log id, "#", the seq (``P0001#41``).
RECEIPT = re.compile(r"^\s*([A-Za-z0-9]+)\s*#\s*([0-9]{1,18})\s*$")


def entry_url(log_id: str, seq: int) -> str:
    """The page of the entry ``log_id#seq``, found by its log and seq (no query here)."""
    return reverse("admin:ledger_ledgerentry_at", args=[log_id, seq])


def log_filter_url(model_name: str, log_id: str) -> str:
    """The list of a log's entries or checkpoints."""
    url = reverse(f"admin:ledger_{model_name}_changelist")
    return f"{url}?{urlencode({'log__log_id__exact': log_id})}"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LedgerReadOnlyAdmin):
    # "log_display", not "log_id": Django labels a foreign key's column name by itself ("Log id").
    list_display = ("log_display", "seq", "kind", "recorded_at", "key_id")
    list_filter = ("log", KindFilter, ("recorded_at", admin.DateFieldListFilter))
    ordering = ("log", "-seq")
    # Exact matches on indexed columns only: a receipt ("P0001#41"), a log id, a kind.
    search_fields = ("=log__log_id", "=kind")
    search_help_text = _("A receipt (P0001#41), a log id (P0001, bureau) or an entry kind.")
    fields = (
        "log_display",
        "seq",
        "kind",
        "recorded_at",
        "entry_json",
        "leaf_hash_hex",
        "signature_base64",
        "key_id",
        "signature_verifies",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # The list never shows the canonical text, signature or hash: do not load them.
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.only("id", "log_id", "seq", "kind", "recorded_at", "key_id")
        return queryset

    def get_search_results(self, request, queryset, search_term):
        receipt = RECEIPT.match(search_term)
        if receipt is not None:
            typed, seq = receipt.groups()
            # "p0001#41" finds P0001's entry: the log id is looked up in the small
            # log table first, so the entry itself is found by the (log, seq) index.
            log_ids = Log.objects.filter(log_id__iexact=typed).values_list("log_id", flat=True)
            return queryset.filter(log_id__in=list(log_ids), seq=int(seq)), False
        return super().get_search_results(request, queryset, search_term)

    def get_urls(self):
        return [
            path(
                "at/<str:log_id>/<int:seq>/",
                self.admin_site.admin_view(self.entry_at_view),
                name="ledger_ledgerentry_at",
            ),
            *super().get_urls(),
        ]

    def entry_at_view(self, request, log_id: str, seq: int):
        """The entry ``log_id#seq``: where receipts and bureau-log seqs link to."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = LedgerEntry.objects.filter(log_id=log_id, seq=seq).values_list("pk", flat=True).first()
        if pk is None:
            raise Http404(f"No entry {log_id}#{seq}.")
        return HttpResponseRedirect(reverse("admin:ledger_ledgerentry_change", args=[pk]))

    @admin.display(description=_("log"), ordering="log")
    def log_display(self, entry: LedgerEntry) -> str:
        return entry.log_id

    @admin.display(description=_("entry (RFC 8785 canonical JSON, shown indented)"))
    def entry_json(self, entry: LedgerEntry):
        return _pre(json.dumps(json.loads(entry.canonical), indent=2, ensure_ascii=False))

    @admin.display(description=_("leaf hash (hex)"))
    def leaf_hash_hex(self, entry: LedgerEntry) -> str:
        return bytes(entry.leaf_hash).hex()

    @admin.display(description=_("signature (base64)"))
    def signature_base64(self, entry: LedgerEntry) -> str:
        return b64encode(entry.signature)

    @admin.display(description=_("signature verifies"))
    def signature_verifies(self, entry: LedgerEntry) -> str:
        row = PublishedKey.objects.filter(pk=entry.key_id).first()
        if row is None:
            return _("NO: key %(key_id)s is not published") % {"key_id": entry.key_id}
        try:
            verifier = core_keys.VerifierKey.from_string(row.verifier_key)
        except core_keys.KeyFormatError:
            return _("NO: the published key %(key_id)s is malformed") % {"key_id": entry.key_id}
        leaf = merkle.leaf_hash(entry.canonical.encode("utf-8"))
        if leaf != bytes(entry.leaf_hash):
            return _("NO: the leaf hash does not match the canonical text")
        if core_keys.verify_entry(verifier, leaf, bytes(entry.signature)):
            return _("yes, by %(name)s (%(key_id)s)") % {"name": row.name, "key_id": row.key_id}
        return _("NO: the signature does not verify")


@admin.register(SignedCheckpoint)
class SignedCheckpointAdmin(LedgerReadOnlyAdmin):
    list_display = ("log_display", "size", "signed_at", "key_ids")
    list_filter = ("log",)
    ordering = ("log", "-size", "-signed_at")
    fields = ("log_display", "size", "root_hash_base64", "signed_at", "key_ids", "signed_note")
    readonly_fields = fields

    @admin.display(description=_("log"), ordering="log")
    def log_display(self, checkpoint: SignedCheckpoint) -> str:
        return checkpoint.log_id

    @admin.display(description=_("root hash (base64)"))
    def root_hash_base64(self, checkpoint: SignedCheckpoint) -> str:
        return b64encode(checkpoint.root_hash)

    @admin.display(description=_("signed note"))
    def signed_note(self, checkpoint: SignedCheckpoint):
        return _pre(checkpoint.note)


@admin.register(PublishedKey)
class PublishedKeyAdmin(LedgerReadOnlyAdmin):
    list_display = ("key_id", "name", "valid_from", "retired_at", "private_key_here")
    fields = (
        "key_id",
        "name",
        "algorithm",
        "verifier_key",
        "valid_from",
        "retired_at",
        "private_key_here",
    )
    readonly_fields = fields

    @admin.display(description=_("private key on this server"), boolean=True)
    def private_key_here(self, key: PublishedKey) -> bool:
        try:
            return private_key_present(key.key_id)
        except core_keys.KeyFormatError:
            return False


@admin.register(Log)
class LogAdmin(LedgerReadOnlyAdmin):
    list_display = ("log_id", "size", "last_recorded_at", "links")
    search_fields = ("=log_id",)
    fields = ("log_id", "size", "last_recorded_at", "created_at", "links")
    readonly_fields = fields

    @admin.display(description=_("entries and checkpoints"))
    def links(self, log: Log) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            log_filter_url("ledgerentry", log.log_id),
            _("Entries"),
            log_filter_url("signedcheckpoint", log.log_id),
            _("Checkpoints"),
        )
