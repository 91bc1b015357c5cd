"""The public letter check (no login): routed from config/urls.py under /verify/.

A letter number never holds a dot, so ``<number>.json`` is matched first.
"""

from django.urls import path, re_path

from .letters_public import verify_letter, verify_letter_json, verify_start

urlpatterns = [
    path("", verify_start, name="verify-start"),
    re_path(r"^letters/(?P<number>[^/]+)\.json$", verify_letter_json, name="verify-letter-json"),
    path("letters/<str:number>", verify_letter, name="verify-letter"),
]
