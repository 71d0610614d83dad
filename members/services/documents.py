"""Member documents in private storage: writing, replacing, deleting, and the staff access log.

The database row and the file on disk change together or not at all:

- a new file is written first; if anything later in the same service call fails
  (another upload, a constraint, the commit itself) it is deleted again (``NewFiles``);
- a replaced or deleted file is removed only after the transaction committed
  (``transaction.on_commit``), so a rollback never leaves a row pointing at nothing.

These helpers run inside the caller's ``transaction.atomic()`` with the member row
locked (see members/services/profile.py). Services are the outermost transaction
(no ATOMIC_REQUESTS), which is what makes the two rules above hold.
"""

import logging
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction

from jaklitera.storage import get_private_storage
from jaklitera.uploads import CleanFile

from ..models import Document, DocumentAccess, Member

logger = logging.getLogger(__name__)


class NewFiles:
    """Names of files written during one service call; removed again if the call fails.

    Use it outside the transaction so a failed commit is covered too::

        with NewFiles() as new_files, transaction.atomic():
            documents_replace(member=locked, files=..., new_files=new_files)
    """

    def __init__(self) -> None:
        self.names: list[str] = []

    def __enter__(self) -> "NewFiles":
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if exc_type is not None:
            _files_delete(self.names)
        return False

    def write(self, field_file, content: bytes) -> str:
        """Write ``content`` as ``field_file`` (e.g. ``document.file``) under a fresh random name
        that is not on disk yet, so a cleanup can only ever remove our own file. Returns the name."""
        storage = get_private_storage()
        while True:
            name = field_file.field.generate_filename(field_file.instance, "upload")
            if not storage.exists(name):
                break
        # Remember the name before writing: a write that fails half-way (disk full) is cleaned up too.
        self.names.append(name)
        saved_as = storage.save(name, ContentFile(content))
        if saved_as != name:
            self.names.append(saved_as)
        field_file.name = saved_as
        return saved_as


def documents_replace(*, member: Member, files: dict[str, CleanFile], new_files: NewFiles) -> dict[str, Document]:
    """Store ``files`` (kind → cleaned content) as the member's documents, replacing those kinds.

    Call inside ``transaction.atomic()`` with ``member`` locked. Each replacement is a new
    row with a new id (old links stop working); the old files go after commit.
    Returns the new documents by kind.
    """
    old = {document.kind: document for document in Document.objects.filter(member=member, kind__in=list(files))}
    stored: dict[str, Document] = {}
    for kind, clean in files.items():
        document = Document(
            member=member,
            kind=kind,
            content_type=clean.content_type,
            size=clean.size,
            width=clean.width,
            height=clean.height,
        )
        # upload_to gives files on disk random names (members.models.document_path).
        new_files.write(document.file, clean.content)
        if kind in old:
            # One document per kind (a DB constraint): the old row goes first.
            old[kind].delete()
        document.save()
        stored[kind] = document
    files_delete_on_commit(document.file.name for document in old.values())
    return stored


def documents_delete(*, member: Member, kinds: Iterable[str]) -> int:
    """Delete the member's documents of ``kinds``; their files go after commit. Returns how many."""
    documents = list(Document.objects.filter(member=member, kind__in=list(kinds)))
    for document in documents:
        document.delete()
    files_delete_on_commit(document.file.name for document in documents)
    return len(documents)


def document_access_log(*, document: Document, viewer) -> DocumentAccess:
    """Record that ``viewer`` (staff, not the owner) opened ``document``."""
    return DocumentAccess.objects.create(
        document=document, document_kind=document.kind, member_id=document.member_id, viewer=viewer
    )


def files_delete_on_commit(names: Iterable[str]) -> None:
    """Delete these private files once the transaction commits (their rows are gone by then)."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: _files_delete(names))


def _files_delete(names: Iterable[str]) -> None:
    storage = get_private_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # The row is already gone; a leftover file is only disk space. Keep going.
            logger.exception("Could not delete private file %s", name)
