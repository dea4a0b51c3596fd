"""Russian is the default, English is complete, and the compiled catalogue matches its source."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, pgettext

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _unquote(lines: str) -> str:
    return "".join(
        bytes(part, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for part in re.findall(r'"(.*)"', lines)
    )


def _entries() -> list[dict]:
    """The .po entries as dicts: msgctxt, msgid, msgid_plural, msgstr or msgstr[n], fuzzy."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        fields = {
            key: _unquote(value)
            for key, value in re.findall(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) ((?:".*"\n?)+)',
                block + "\n",
                flags=re.M,
            )
        }
        if fields.get("msgid"):
            fields["fuzzy"] = "#, fuzzy" in block or ", fuzzy" in block
            entries.append(fields)
    return entries


ENTRIES = _entries()


def test_the_catalogue_has_entries():
    assert len(ENTRIES) > 150


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry["msgid"][:40])
def test_every_string_is_translated_into_russian_and_compiled(entry):
    assert not entry["fuzzy"], "fuzzy translations are not used by Django"
    context = entry.get("msgctxt")
    with translation.override("ru"):
        if "msgid_plural" in entry:
            forms = [entry.get(f"msgstr[{n}]", "") for n in range(3)]
            assert all(forms), "all three Russian plural forms are needed"
            if context:
                shown = npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
            else:
                shown = ngettext(entry["msgid"], entry["msgid_plural"], 1)
            assert shown == forms[0], "run `make messages`: the .mo is older than the .po"
        else:
            assert entry["msgstr"], "untranslated"
            shown = pgettext(context, entry["msgid"]) if context else gettext(entry["msgid"])
            assert shown == entry["msgstr"], "run `make messages`: the .mo is older than the .po"


def test_pages_are_in_russian_by_default(client, db):
    html = client.get("/").content.decode()

    assert '<html lang="ru">' in html
    assert "Опишите ваш вопрос, идею или проблему…" in html


def test_the_language_switcher_turns_the_site_english_without_javascript(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/questions/"})

    assert response.status_code == 302
    assert response["Location"] == "/questions/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Describe your question, idea or problem…" in html


def test_the_browser_language_is_honoured(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="en">' in html


@pytest.mark.parametrize(
    ("language", "text"), [("ru", "Страница не найдена"), ("en", "Page not found")]
)
def test_the_404_page_is_translated(client, db, language, text):
    response = client.get("/t/999999-net-takoy/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "Что-то пошло не так"), ("en", "Something went wrong")],
)
def test_the_500_page_is_translated(rf, language, text):
    from django.views.defaults import server_error

    with translation.override(language):
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert text in response.content.decode()
    assert f'<html lang="{language}">' in response.content.decode()
