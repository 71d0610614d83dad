"""The only way to a private document: /berkas/<id>/ for its owner and permitted staff."""

from django.http import Http404
from django.views.decorators.http import require_safe

from jaklitera.private_files import private_file_response

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
    response = private_file_response(
        field_file=document.file,
        content_type=document.content_type,
        filename=f"{NEUTRAL_NAMES[document.kind]}{document.extension}",
    )
    if document.member_id != request.user.pk:
        document_access_log(document=document, viewer=request.user)
    return response
