"""The only way to a private document: /berkas/<id>/ for its owner and permitted staff."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from ..models import Document
from ..selectors import document_get_viewable
from ..services.documents import document_access_log

# What the browser shows as the file name: nothing about the person.
NEUTRAL_NAMES = {Document.Kind.PHOTO: "foto", Document.Kind.KTP: "ktp", Document.Kind.LETTER: "surat-keterangan"}


@require_safe
def document_view(request, document_id):
    """The file, inline. Anyone else, signed in or not, gets the same 404 as for a missing id."""
    document = document_get_viewable(document_id=document_id, user=request.user)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if document.member_id != request.user.pk:
        document_access_log(document=document, viewer=request.user)
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=False,
        filename=f"{NEUTRAL_NAMES[document.kind]}{document.extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if document.content_type == "application/pdf":
        # A PDF can carry scripts and forms: it runs in a sandbox without our origin.
        response["Content-Security-Policy"] = "sandbox"
    return response
