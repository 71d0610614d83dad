"""Serving a file from private storage: the one place that sets the headers."""

from django.http import FileResponse, Http404


def private_file_response(*, field_file, content_type: str, filename: str) -> FileResponse:
    """The file inline, never cached, never sniffed; a PDF runs sandboxed (it can carry scripts).

    The caller has already checked who may see it. A file missing on disk is a 404.
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=False, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if content_type == "application/pdf":
        response["Content-Security-Policy"] = "sandbox"
    return response
