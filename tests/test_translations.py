"""The English catalogue is complete and compiles: every string marked for translation in the
templates and in the Python code has its English, and no placeholder is lost on the way.

Strings are extracted as ``makemessages`` would (Django's own templatize for templates), with
Babel's extractor, so the test needs no gettext tools. A string someone forgot to translate
would show Italian on an English page.
"""

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

from tests.fixtures.project import project_app_names

PROJECT_DIR = Path(__file__).resolve().parents[1]
CATALOGUE = PROJECT_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def template_files() -> list[Path]:
    return sorted(
        path for path in (PROJECT_DIR / "templates").rglob("*") if path.suffix in (".html", ".txt")
    )


def python_files() -> list[Path]:
    return sorted(
        path
        for app in project_app_names()
        for path in (PROJECT_DIR / app).rglob("*.py")
        # Relative parts: a checkout in a folder named "tests" must not lose every file.
        if not {"tests", "migrations"} & set(path.relative_to(PROJECT_DIR).parts)
    )


def messages_of(source: str) -> list[tuple[str, str | None]]:
    """(msgid, context) of each string marked in Python source."""
    found = []
    for _line, _function, message, _comments, *_context in extract_python(
        io.BytesIO(source.encode("utf-8")), KEYWORDS, [], {}
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        message_context = None
        if isinstance(message, tuple) and len(message) > 1 and KEYWORDS.get(_function):
            spec = KEYWORDS[_function]
            if isinstance(spec[0], tuple):  # pgettext: (context, msgid, ...)
                message_context, msgid = message[0], message[1]
        if msgid:
            found.append((msgid, message_context))
    return found


def marked_strings() -> dict[tuple[str, str | None], str]:
    """Every marked string of the project → the first file that marks it."""
    strings: dict[tuple[str, str | None], str] = {}
    for path in template_files():
        # templatize keeps the template's layout, which is not Python's indentation
        source = "\n".join(
            line.lstrip()
            for line in templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines()
        )
        for key in messages_of(source):
            strings.setdefault(key, str(path.relative_to(PROJECT_DIR)))
    for path in python_files():
        for key in messages_of(path.read_text(encoding="utf-8")):
            strings.setdefault(key, str(path.relative_to(PROJECT_DIR)))
    return strings


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as file:
        return read_po(file)


def test_the_catalogue_compiles_without_errors(catalogue):
    problems = [
        f"{message.id!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalogue.check()
    ]
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)

    assert problems == []
    assert compiled.getbuffer().nbytes > 0


def test_every_marked_string_has_its_english(catalogue):
    strings = marked_strings()
    assert len(strings) > 500  # the extraction found the project's strings

    untranslated = []
    for (msgid, context), where in sorted(strings.items(), key=lambda item: item[1]):
        message = catalogue.get(msgid, context=context)
        translation = message.string if message is not None else ""
        if isinstance(translation, tuple):
            translation = translation[0]
        if not translation or (message is not None and message.fuzzy):
            untranslated.append(f"{where}: {msgid!r}")

    assert untranslated == [], "\n".join(untranslated)
