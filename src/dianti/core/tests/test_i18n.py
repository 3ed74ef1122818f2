"""The English catalogue: complete, compiled, up to date with the code; and the language switch works.

The msgids are the Simplified Chinese interface strings (LANGUAGE_CODE is zh-hans); ``locale/en`` translates them.
After changing a user-facing string run ``make messages``, translate the entries it leaves empty or marks fuzzy in
``src/dianti/locale/en/LC_MESSAGES/django.po``, run ``make messages`` again to compile, and commit the .po and .mo.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, translation

import dianti

PACKAGE = Path(dianti.__file__).resolve().parent
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What `make messages` leaves out of extraction (keep in step with the Makefile's -i options).
NOT_EXTRACTED = {"tests", "testing", "conftest.py", ".venv", "var", "locale", "__pycache__"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0
    where: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def read_po(path: Path) -> list[Entry]:
    """Return the entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#:"):
            entry.where += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            target = (match.group(1), int(match.group(2) or 0))
            text = match.group(3)
            if target[0] == "msgid":
                entry.line = number
        else:
            text = line
        value = ast.literal_eval(text)
        kind, index = target
        if kind == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        elif kind == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif kind == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        else:
            entry.msgid += value
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = read_po(PO)
    assert entries and entries[0].msgid == "", "the catalogue should start with its header"
    return entries


def test_header_is_final_and_states_english_plural_forms(catalogue: list[Entry]) -> None:
    header = catalogue[0]
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_english_catalogue_has_no_untranslated_or_fuzzy_entry(catalogue: list[Entry]) -> None:
    entries = catalogue[1:]
    assert len(entries) > 300, "the catalogue looks truncated"
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    empty = [str(e) for e in entries
             if not all(e.msgstr.get(i) for i in ((0, 1) if e.msgid_plural is not None else (0,)))]
    assert not fuzzy, "fuzzy entries (check the translation, then delete the '#, fuzzy' line):\n" + "\n".join(fuzzy)
    assert not empty, "untranslated entries (run `make messages`, then translate):\n" + "\n".join(empty)


def test_translations_keep_every_placeholder(catalogue: list[Entry]) -> None:
    wrong = []
    for e in catalogue[1:]:
        wanted = set(PLACEHOLDER.findall(e.msgid))
        for index, text in e.msgstr.items():
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"{e} msgstr[{index}] = {text!r}")
    assert not wrong, "placeholders differ from the msgid:\n" + "\n".join(wrong)


def test_compiled_catalogue_matches_the_po_file(catalogue: list[Entry]) -> None:
    assert MO.exists(), "django.mo is missing: run `make messages` and commit it"
    with MO.open("rb") as fp:
        mo = gettext.GNUTranslations(fp)
    stale = []
    for e in catalogue[1:]:
        if e.msgid_plural is not None:
            got = [mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n) if e.msgctxt
                   else mo.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            want = [e.msgstr.get(0, ""), e.msgstr.get(1, "")]
        else:
            got = [mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)]
            want = [e.msgstr.get(0, "")]
        if got != want:
            stale.append(str(e))
    assert not stale, "django.mo is older than django.po: run `make messages` and commit both:\n" + "\n".join(stale)


def _extract(into: Path) -> list[Entry]:
    """Copy the package's sources (less what `make messages` skips) and run makemessages on the copy."""
    source = into / "dianti"

    def ignored(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in NOT_EXTRACTED
                or not (n.endswith((".py", ".html", ".txt")) or os.path.isdir(os.path.join(directory, n)))}

    shutil.copytree(PACKAGE, source, ignore=ignored)
    cwd = Path.cwd()
    try:
        os.chdir(source)
        with override_settings(LOCALE_PATHS=[into / "locale"]):
            call_command("makemessages", locale=["en"], add_location="file", verbosity=0)
    finally:
        os.chdir(cwd)
    return read_po(into / "locale" / "en" / "LC_MESSAGES" / "django.po")


def test_catalogue_holds_every_string_the_code_marks_for_translation(catalogue: list[Entry], tmp_path: Path) -> None:
    missing_tools = [t for t in ("xgettext", "msguniq", "msgmerge") if shutil.which(t) is None]
    if missing_tools:
        pytest.skip("GNU gettext is not installed (no " + ", ".join(missing_tools) + "): apt-get install gettext")
    committed = {e.key for e in catalogue[1:]}
    missing = [f"{e.msgid!r} in {', '.join(e.where)}" for e in _extract(tmp_path)[1:] if e.key not in committed]
    assert not missing, ("strings in the code that the English catalogue lacks (run `make messages`, translate, "
                         "commit django.po and django.mo):\n" + "\n".join(missing))


def _lang(response: Any) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


def test_login_page_is_chinese_by_default_and_english_after_switching(client: Any, db: Any) -> None:
    login = reverse("login")
    page = client.get(login)
    assert _lang(page) == "zh-hans"
    assert "登录点题述职" in page.content.decode()
    assert 'name="language" value="en"' in page.content.decode() and ">English</button>" in page.content.decode()

    switched = client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER="http://testserver" + login)
    assert switched.status_code == 302 and switched["Location"].endswith(login)
    page = client.get(login)
    html = page.content.decode()
    assert _lang(page) == "en"
    assert "Log in to Topic-assigned duty reporting" in html and "登录点题述职" not in html
    assert ">中文</button>" in html

    client.post(reverse("set_language"), {"language": "zh-hans"}, HTTP_REFERER="http://testserver" + login)
    assert "登录点题述职" in client.get(login).content.decode()


def test_public_portal_offers_the_switch_too(client: Any, db: Any) -> None:
    html = client.get(reverse("portal_index")).content.decode()
    assert f'action="{reverse("set_language")}"' in html and ">English</button>" in html


@pytest.mark.parametrize("language, shown", [("zh-hans", "2026年11月26日"), ("en", "Nov. 26, 2026")])
def test_dates_follow_the_language(language: str, shown: str) -> None:
    with translation.override(language):
        assert formats.date_format(dt.date(2026, 11, 26)) == shown
