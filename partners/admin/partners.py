"""The partner page: the file the bureau vets, and the buttons that move it through vetting."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from partners.choices import TRANSITIONS, PartnerKind, PartnerStatus
from partners.models import (
    Agent,
    ApiCredential,
    Authorisation,
    Partner,
)
from partners.selectors import partner_document_gaps
from partners.services.documents import document_add
from partners.services.vetting import (
    TRANSITION_PERMISSIONS,
    maker_checker_refusal,
    partner_register,
    vetting_moves_for,
    vetting_transition,
)

from .common import (
    AMBER,
    FINAL_STATUSES,
    GREEN,
    RED,
    ReasonForm,
    RegistryAdmin,
    adopt,
    change_url,
    coloured,
    expiry_horizon,
    form_data,
    get_object_or_404,
)
from .pages import decision_view
from .partner_forms import (
    DETAIL_FIELDS,
    STOPPING_STATUSES,
    PartnerAddForm,
    status_badge,
    transition_label,
)
from .partner_parts import (
    AgentInline,
    AuthorisationInline,
    CredentialInline,
    DecisionInline,
    DocumentInline,
    DocumentProblemFilter,
    HasParentFilter,
    NewDocumentFormSet,
    NewDocumentInline,
)


@admin.register(Partner)
class PartnerAdmin(RegistryAdmin):
    form = PartnerAddForm
    list_display = (
        "code",
        "legal_name",
        "kind",
        "status_display",
        "parent_code",
        "documents_display",
        "next_expiry",
    )
    list_display_links = ("code", "legal_name")
    list_filter = ("status", "kind", HasParentFilter, DocumentProblemFilter)
    search_fields = ("code", "legal_name", "uscc")
    list_select_related = ("parent",)
    list_per_page = 50
    autocomplete_fields = ("parent",)
    change_form_template = "admin/partners/partner/change_form.html"

    def get_queryset(self, request):
        """Partners with their document counts and next expiries, in one query for a whole page."""
        today, horizon = expiry_horizon()
        valid = Q(documents__issued_on__lte=today) & (
            Q(documents__expires_on__isnull=True) | Q(documents__expires_on__gte=today)
        )
        required = list(settings.AUDITSVC_REQUIRED_DOCUMENTS)
        next_authorisation_end = (
            Authorisation.objects.filter(
                partner=OuterRef("pk"), revoked_at__isnull=True, valid_until__gte=today
            )
            .order_by("valid_until")
            .values("valid_until")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                docs_valid_required=Count(
                    "documents__doc_type",
                    filter=valid & Q(documents__doc_type__in=required),
                    distinct=True,
                ),
                docs_expiring=Count(
                    "documents",
                    filter=valid & Q(documents__expires_on__lte=horizon),
                    distinct=True,
                ),
                docs_next_expiry=Min(
                    "documents__expires_on", filter=valid & Q(documents__expires_on__isnull=False)
                ),
                authorisation_next_end=Subquery(next_authorisation_end),
            )
        )

    # --- Columns --------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, partner: Partner) -> str:
        return status_badge(partner.status)

    @admin.display(description=_("parent"), ordering="parent__code")
    def parent_code(self, partner: Partner) -> str | None:
        return partner.parent.code if partner.parent_id else None

    @admin.display(description=_("documents"), ordering="docs_valid_required")
    def documents_display(self, partner: Partner) -> str:
        required = len(settings.AUDITSVC_REQUIRED_DOCUMENTS)
        valid = getattr(partner, "docs_valid_required", 0)
        expiring = getattr(partner, "docs_expiring", 0)
        _today, horizon = expiry_horizon()
        text = _("%(valid)s/%(required)s valid") % {"valid": valid, "required": required}
        colour = GREEN if valid >= required else RED
        next_expiry = getattr(partner, "docs_next_expiry", None)
        if expiring and next_expiry is not None and next_expiry <= horizon:
            text += _(", %(count)s expiring %(day)s") % {
                "count": expiring,
                "day": next_expiry.isoformat(),
            }
            colour = AMBER if valid >= required else RED
        return coloured(text, colour)

    @admin.display(description=_("next expiry"))
    def next_expiry(self, partner: Partner) -> str | None:
        candidates = [
            (day, what)
            for day, what in (
                (getattr(partner, "docs_next_expiry", None), _("document")),
                (getattr(partner, "authorisation_next_end", None), _("authorisation")),
            )
            if day is not None
        ]
        if not candidates:
            return None
        day, what = min(candidates)
        _today, horizon = expiry_horizon()

        return coloured(f"{day.isoformat()} ({what})", AMBER if day <= horizon else None)

    @admin.display(description=_("missing documents"))
    def missing(self, partner: Partner) -> str:
        gaps = partner_document_gaps(partner)
        if not gaps:
            return _("None: the file is complete.")
        return format_html(
            '<ul class="plain">{}</ul>',
            format_html_join("", "<li>{}</li>", ((gap.label,) for gap in gaps)),
        )

    # --- Add and change pages ------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": PartnerAddForm.Meta.fields}),)
        return DETAIL_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A partner's registered details are evidence; its status moves only by vetting.
        return tuple(field for _, options in DETAIL_FIELDS for field in options["fields"])

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [
            DecisionInline,
            DocumentInline,
            NewDocumentInline,
            AuthorisationInline,
            AgentInline,
            CredentialInline,
        ]

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on the partner itself is edited here (see get_readonly_fields)
        data = {name: form.cleaned_data[name] for name in PartnerAddForm.Meta.fields}
        adopt(obj, partner_register(actor=request.user, **data))

    def save_formset(self, request, form, formset, change):
        # Nothing is saved by the formsets themselves: the other inlines are
        # read-only lists, and new documents go through document_add.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not isinstance(formset, NewDocumentFormSet):
            return
        for document_form in formset.forms:
            if not document_form.has_changed():
                continue
            data = document_form.cleaned_data
            formset.new_objects.append(
                document_add(
                    form.instance,
                    actor=request.user,
                    doc_type=data["doc_type"],
                    file=data["file"],
                    issued_on=data["issued_on"],
                    expires_on=data.get("expires_on"),
                )
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        partner = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if partner is not None:
            # The moves the vetting service would allow this user; it checks them again.
            context["vetting_actions"] = [
                {
                    "label": transition_label(partner.status, status),
                    "url": reverse(
                        "admin:partners_partner_transition", args=[partner.pk, status.value]
                    ),
                }
                for status in vetting_moves_for(partner, request.user)
            ]
            context["shortcuts"] = self._shortcuts(request, partner)
        return super().change_view(request, object_id, form_url, context)

    def _shortcuts(self, request, partner: Partner) -> list[dict]:
        if partner.status in FINAL_STATUSES:
            return []
        shortcuts = []
        targets = [(ApiCredential, _("Issue API key"))]
        if partner.kind == PartnerKind.ENROLMENT_PARTNER:
            # Only enrolment partners get letters and field agents.
            targets[:0] = [(Authorisation, _("Grant authorisation")), (Agent, _("Register agent"))]
        for model, label in targets:
            opts = model._meta
            if request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
                shortcuts.append({"label": label, "url": f"{url}?partner={partner.pk}"})
        return shortcuts

    # --- Vetting ------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/vetting/<str:to_status>/",
                self.admin_site.admin_view(self.transition_view),
                name="partners_partner_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id: str, to_status: str):
        """Ask for a reason, then move the partner through vetting (one partner at a time)."""
        partner = get_object_or_404(self, request, object_id)
        permission = TRANSITION_PERMISSIONS.get(to_status)
        if permission is None:  # not a status any move leads to (e.g. "applied")
            raise Http404(_("No such vetting move."))
        target = PartnerStatus(to_status)
        if not request.user.has_perm(permission):
            raise PermissionDenied
        if target not in TRANSITIONS.get(partner.status, frozenset()):
            # Most likely someone else decided meanwhile: say so, show the partner.
            self.message_user(
                request,
                _("Refused: %(code)s is %(status)s and cannot move to %(target)s. [%(error)s]")
                % {
                    "code": partner.code,
                    "status": PartnerStatus(partner.status).label.lower(),
                    "target": target.label.lower(),
                    "error": "illegal_transition",
                },
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url(partner))

        label = transition_label(partner.status, target)
        return decision_view(
            self,
            request,
            partner,
            form=ReasonForm(form_data(request)),
            call=lambda data: vetting_transition(
                partner, target, actor=request.user, reason=data["reason"]
            ),
            success=lambda data: (
                _("%(code)s: %(action)s — now %(status)s.")
                % {"code": partner.code, "action": label.lower(), "status": target.label.lower()}
            ),
            title=f"{label}: {partner.code} {partner.legal_name}",
            submit_label=label,
            intro=_(
                "Moves %(code)s from “%(status)s” to “%(target)s”. The decision and your "
                "reason go into the signed bureau log under your name and cannot be changed "
                "afterwards."
            )
            % {
                "code": partner.code,
                "status": PartnerStatus(partner.status).label,
                "target": target.label,
            },
            warnings=self._transition_warnings(request, partner, target),
            danger=target in STOPPING_STATUSES,
        )

    def _transition_warnings(self, request, partner: Partner, target: PartnerStatus) -> list[str]:
        """What the service is going to refuse, said before the user writes a reason.

        Asks the service's own rules (maker_checker_refusal, and partner_document_gaps,
        which the service reads too): the admin decides nothing itself.
        """
        if target != PartnerStatus.APPROVED:
            return []
        warnings = [
            _("%(document)s (a required document)") % {"document": gap.label}
            for gap in partner_document_gaps(partner)
        ]

        refusal = maker_checker_refusal(partner, request.user, from_status=partner.status)
        if refusal is not None:
            warnings.append(refusal)
        return warnings


__all__ = ["PartnerAdmin", "change_url", "status_badge", "transition_label"]
