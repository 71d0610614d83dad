"""Pages that many visitors see identically, rendered once per process and kept in memory.

During a rush thousands of people get the same "Sesi ini sudah penuh" page and keep
refreshing the same Jadwal Kunjungan. Two visitors' copies differ only in the CSRF token of
the menu's forms (Keluar, Bahasa), yet rendering the layout (menu, translations, URLs,
footer) costs more than the rest of such a request (docs/performance.md). So the page is
rendered once with a placeholder where the token goes, kept in this process's memory
(the ``pages`` cache: no network round trip), and each response gets the visitor's own
freshly masked token, exactly what ``{% csrf_token %}`` would have written.

Only for visitors who see the shared layout: signed-out visitors and members without
staff rights (the staff menu depends on permissions). A visitor with a message waiting
gets a normal render, so the message is shown and consumed as usual. Whatever else the
page shows must be in ``key``: the caller's data version, and for the layout this module
adds the language, the path and whether the visitor is signed in.
"""

import hashlib
import secrets

from django.contrib import messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

# Not a token and never sent: it only marks where each response's own token goes.
_TOKEN_HOLE = f"csrf-token-hole-{secrets.token_hex(16)}"


def render_shared(
    request: HttpRequest, template_name: str, context: dict, *, key: tuple, status: int = 200
) -> HttpResponse:
    """``render()``, but from this process's copy of the page when the visitor sees the
    shared layout and the page for ``key`` was rendered before."""
    if not _layout_is_shared(request):
        return render(request, template_name, context, status=status)
    pages = caches["pages"]
    page_key = _page_key(request, template_name, key)
    html = pages.get(page_key)
    if html is None:
        html = render_to_string(template_name, {**context, "csrf_token": _TOKEN_HOLE}, request)
        pages.set(page_key, html)
    return HttpResponse(html.replace(_TOKEN_HOLE, get_token(request)), status=status)


def _layout_is_shared(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated and user.is_staff:
        return False
    # len() reads the waiting messages without marking them shown.
    return not len(messages.get_messages(request))


def _page_key(request: HttpRequest, template_name: str, key: tuple) -> str:
    parts = (template_name, get_language(), request.get_full_path(), request.user.is_authenticated, *key)
    return "page:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
