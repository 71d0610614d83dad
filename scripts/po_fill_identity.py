"""Fill the Indonesian catalogue with identity translations (msgstr = msgid).

Source strings are written in Bahasa Indonesia, so the ``id`` catalogue needs no
translator: every entry translates to itself. Run after ``makemessages``
(``make messages`` does) so that new strings are never left untranslated or fuzzy::

    .venv/bin/python scripts/po_fill_identity.py [path/to/django.po ...]

Without arguments it fills ``locale/id/LC_MESSAGES/django.po`` (and
``djangojs.po`` if it exists). It overwrites every msgstr, drops fuzzy flags and
obsolete entries, and exits non-zero if a file is missing.

One exception: a msgid that is one of Django's own English strings (e.g. "Home" in a
template that extends the admin) keeps Django's Indonesian ("Beranda"). Our catalogue
comes first (LOCALE_PATHS), so an identity entry would replace Django's translation on
every admin page. Language names stay as they are (the language switcher lists each
language under its own name).
"""

import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FILES = [BASE_DIR / "locale" / "id" / "LC_MESSAGES" / name for name in ("django.po", "djangojs.po")]
NATIVE_NAMES = {"Bahasa Indonesia", "English"}


def _nplurals(po: polib.POFile) -> int:
    # "nplurals=1; plural=0;" for Indonesian; fall back to 2 if the header is odd.
    for part in po.metadata.get("Plural-Forms", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip() == "nplurals" and value.strip().isdigit():
            return int(value)
    return 2


def django_translations(language: str = "id") -> dict[str, str]:
    """Django's own translations (msgid → msgstr, singular entries) for ``language``.

    The contrib apps' catalogues win over django/conf/locale, as they do at run time.
    """
    import django

    root = Path(django.__file__).resolve().parent
    found: dict[str, str] = {}
    files = sorted(root.glob(f"contrib/*/locale/{language}/LC_MESSAGES/django.mo"))
    files.append(root / "conf" / "locale" / language / "LC_MESSAGES" / "django.mo")
    for path in files:
        if not path.exists():
            continue
        for entry in polib.mofile(str(path)):
            if entry.msgid and not entry.msgid_plural and not entry.msgctxt and entry.msgstr:
                found.setdefault(entry.msgid, entry.msgstr)
    return found


def expected_msgstr(entry: polib.POEntry, borrowed: dict[str, str]) -> str:
    """What a singular entry of the id catalogue must say."""
    if entry.msgid in borrowed and entry.msgid not in NATIVE_NAMES and not entry.msgctxt:
        return borrowed[entry.msgid]
    return entry.msgid


def fill_identity(path: Path, borrowed: dict[str, str] | None = None) -> int:
    """Make every entry of ``path`` translate to itself. Returns the number of entries."""
    borrowed = django_translations() if borrowed is None else borrowed
    po = polib.pofile(str(path))
    po.metadata_is_fuzzy = False
    po.metadata["Language"] = "id"
    nplurals = _nplurals(po)
    for entry in [e for e in po if e.obsolete]:
        po.remove(entry)
    for entry in po:
        if entry.msgid_plural:
            # Form 0 is the singular; with nplurals=1 (Indonesian) the one form serves every n,
            # so it takes the plural text, which carries the number placeholder.
            entry.msgstr_plural = {
                index: entry.msgid if index == 0 and nplurals > 1 else entry.msgid_plural for index in range(nplurals)
            }
        else:
            entry.msgstr = expected_msgstr(entry, borrowed)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    po.save()
    return len(po)


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] if argv else [p for p in DEFAULT_FILES if p.exists()]
    if not paths:
        print(f"no catalogue found: {DEFAULT_FILES[0]} (run makemessages first)", file=sys.stderr)
        return 1
    borrowed = django_translations()
    for path in paths:
        if not path.exists():
            print(f"no such file: {path}", file=sys.stderr)
            return 1
        count = fill_identity(path, borrowed)
        print(f"{path}: {count} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
