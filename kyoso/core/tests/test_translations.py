"""The English catalogue is complete: no empty or fuzzy entry, placeholders intact."""

import re

from babel.messages.pofile import read_po

from kyoso.core.messages import LOCALE_DIR

PLACEHOLDER = re.compile(r"%\(\w+\)s")


def catalogue():
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [
        m.id
        for m in catalogue()
        if m.fuzzy or not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert untranslated == []


def test_translations_keep_every_placeholder():
    broken = []
    for message in catalogue():
        source = message.id if isinstance(message.id, str) else message.id[-1]
        targets = [message.string] if isinstance(message.string, str) else message.string
        wanted = set(PLACEHOLDER.findall(source))
        broken += [source for target in targets if set(PLACEHOLDER.findall(target)) != wanted]
    assert broken == []
