"""The public letter check: is this letter genuine, is it valid now, for whom, where, until when.

No login, plain Django views (not the API): a village doctor or a resident
scans the QR code on a letter with a cheap phone and reads the answer in
large plain words. The page is small (no outside assets, no scripts) and
says nothing about residents, agents or other partners. A search by unified
social credit code on the same page says whether that company may help
residents now, and where.

Throttle: only failed look-ups count (unknown letter numbers, credit codes
of companies not authorised now), per client address, atomically in the
cache (``auditsvc.base.api.throttling``; fail open if Redis is down). Mobile
carriers put a whole village behind one address, and its many successful
look-ups are never counted. Once an address has used up its failed
look-ups (``AUDITSVC_VERIFY_FAILED_LOOKUPS``), company searches and unknown
numbers get a 429 page until the window ends, while numbers of letters
that exist are still answered: 80 random bits cannot be listed, so
answering them gives a lister nothing, and a village behind a busy
address can still check the letter in front of it. Malformed input (a
number or code that cannot exist) never reaches the database and is not
counted.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from auditsvc.base.api.throttling import client_address
from auditsvc.base.counters import FixedWindow

from .choices import DataField, LetterStatus, Purpose
from .letters import (
    company_standing,
    letter_by_number,
    letter_status,
    normalise_letter_number,
    normalise_uscc,
)
from .models import Letter

__all__ = ["FailedLookups", "verify_letter", "verify_letter_json", "verify_start"]


class FailedLookups:
    """Failed look-ups of one client address on the public page, in a fixed window.

    ``over()`` asks without counting; ``record()`` counts one failure and says
    whether the address is now past its allowance (the failure is then
    not answered). The decision rests on the count Redis returns from its
    atomic INCR, so concurrent requests cannot squeeze past the limit.
    """

    def __init__(self, request: HttpRequest) -> None:
        self.window = FixedWindow.from_rate(
            "verify-failed", settings.AUDITSVC_VERIFY_FAILED_LOOKUPS
        )
        self.ident = client_address(request)
        self.retry_after: int | None = None

    def over(self) -> bool:
        """Whether this address has no failed look-ups left in the window (counts nothing)."""
        return self._refused(self.window.retry_after(self.ident))

    def record(self) -> bool:
        """Count one failed look-up; True if it went past the allowance (refuse to answer it)."""
        return self._refused(self.window.past_limit(self.ident))

    def _refused(self, wait: float | None) -> bool:
        if wait is None:
            return False
        self.retry_after = math.ceil(wait)
        return True


def _labels(choices, values) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(value, value)) for value in values]


def _letter_context(letter: Letter, status: LetterStatus) -> dict:
    document = letter.document
    authorisation = document["authorisation"]
    return {
        "number": letter.number,
        "status": status.value,
        "valid": status == LetterStatus.VALID,
        "partner_name": document["partner"]["legal_name"],
        "partner_uscc": document["partner"]["uscc"],
        "regions": authorisation["regions"],
        "purposes": _labels(Purpose.choices, authorisation["purposes"]),
        "fields": _labels(DataField.choices, authorisation["fields"]),
        "hours": authorisation["hours"],
        "valid_from": document["valid_from"],
        "valid_until": document["valid_until"],
        "json_url": reverse("verify-letter-json", args=[letter.number]),
    }


def _company_search(request: HttpRequest, lookups: FailedLookups) -> dict | None:
    """The answer to ``?uscc=`` on any verify page (None when nobody searched)."""
    typed = request.GET.get("uscc", "").strip()
    if not typed:
        return None
    code = normalise_uscc(typed)
    if code is None:
        return {"state": "malformed"}
    if lookups.over():
        return {"state": "throttled", "uscc": code}
    standing = company_standing(code)
    if standing.authorised:
        return {
            "state": "authorised",
            "uscc": code,
            "legal_name": standing.legal_name,
            "authorisations": [
                {
                    "regions": authorisation.regions,
                    "purposes": _labels(Purpose.choices, authorisation.purposes),
                    "valid_until": authorisation.valid_until.isoformat(),
                }
                for authorisation in standing.authorisations
            ],
        }
    if lookups.record():
        return {"state": "throttled", "uscc": code}
    return {"state": "not_authorised", "uscc": code}


def _page(
    request: HttpRequest,
    *,
    lookups: FailedLookups,
    letter: dict | None = None,
    asked_number: bool = False,
    status: int = 200,
) -> HttpResponse:
    search = _company_search(request, lookups)
    if status == 200 and search is not None and search["state"] == "throttled":
        status = 429
    context = {
        "bureau_name": settings.AUDITSVC_BUREAU_NAME,
        "phone": settings.AUDITSVC_MISUSE_PHONE,
        "phone_link": "".join(ch for ch in settings.AUDITSVC_MISUSE_PHONE if ch in "+0123456789"),
        "asked_number": asked_number,
        "letter": letter,
        "search": search,
        "uscc_typed": request.GET.get("uscc", "").strip()[:64],
        "checked_at": timezone.localtime(),
        "retry_minutes": math.ceil((lookups.retry_after or 0) / 60),
    }
    response = render(request, "verify/page.html", context, status=status)
    if status == 429 and lookups.retry_after:
        response["Retry-After"] = str(lookups.retry_after)
    # Letter numbers are not for search engines; the answer changes the moment the
    # bureau acts, so nothing may keep a copy.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _letter_lookup(number: str | None, lookups: FailedLookups) -> tuple[dict, int]:
    """The letter part of the page and the HTTP status for a canonical number (None: malformed)."""
    letter = letter_by_number(number) if number is not None else None
    if letter is not None:
        return _letter_context(letter, letter_status(letter)), 200
    if number is not None and lookups.record():
        return {"status": "throttled"}, 429
    return {
        "status": LetterStatus.UNKNOWN.value,
        "malformed": number is None,
        "checked_number": number,  # well-formed: shown, to compare with the paper
    }, 404


@require_safe
@never_cache
def verify_start(request: HttpRequest) -> HttpResponse:
    """``/verify/``: a box for a letter number and one for a company's credit code."""
    lookups = FailedLookups(request)
    typed = request.GET.get("number", "").strip()
    if typed:
        number = normalise_letter_number(typed)
        if number is not None:
            return HttpResponseRedirect(reverse("verify-letter", args=[number]))
        letter, status = _letter_lookup(None, lookups)
        return _page(request, lookups=lookups, letter=letter, asked_number=True, status=status)
    return _page(request, lookups=lookups)


@require_safe
@never_cache
def verify_letter(request: HttpRequest, number: str) -> HttpResponse:
    """``/verify/letters/<number>``: the letter's status in large words, and the company search."""
    canonical = normalise_letter_number(number)
    if canonical is not None and canonical != number:
        return _redirect_keeping_query(request, reverse("verify-letter", args=[canonical]))
    lookups = FailedLookups(request)
    letter, status = _letter_lookup(canonical, lookups)
    return _page(request, lookups=lookups, letter=letter, asked_number=True, status=status)


@require_safe
@never_cache
def verify_letter_json(request: HttpRequest, number: str) -> HttpResponse:
    """``/verify/letters/<number>.json``: the letter's signed JSON, to check offline.

    ``auditsvc-verify document FILE.json --trusted-key KEY`` checks it
    against a key published at ``/api/v1/keys``. Unknown: 404; past the
    failed look-ups: 429.
    """
    canonical = normalise_letter_number(number)
    if canonical is not None and canonical != number:
        return HttpResponseRedirect(reverse("verify-letter-json", args=[canonical]))
    lookups = FailedLookups(request)
    letter = letter_by_number(canonical) if canonical is not None else None
    if letter is None:
        throttled = canonical is not None and lookups.record()
        response = _json(
            {"status": "throttled" if throttled else "unknown"}, 429 if throttled else 404
        )
        if throttled:
            response["Retry-After"] = str(lookups.retry_after)
        return response
    response = _json(letter.signed_document(), 200)
    response["Content-Disposition"] = f'attachment; filename="letter-{letter.number}.json"'
    return response


def _json(data: dict, status: int) -> HttpResponse:
    # Sorted keys: the same bytes whatever order the database keeps them in.
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _redirect_keeping_query(request: HttpRequest, path: str) -> HttpResponseRedirect:
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{path}?{query}" if query else path)
