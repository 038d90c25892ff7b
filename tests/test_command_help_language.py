"""Operators read the management commands' help in Italian, like the rest of the product."""

import re

import pytest
from django.core.management import BaseCommand, get_commands, load_command_class

from tests.fixtures.project import project_app_names

# Words that give an English sentence away; none is an Italian word (a term such as "app-only"
# is a name, not a sentence).
ENGLISH_WORDS = re.compile(
    r"(?<![\w-])(the|and|only|with|when|what|would|instead|report|keep)(?![\w-])", re.I
)


def project_commands() -> list[tuple[str, str]]:
    return sorted((app, name) for name, app in get_commands().items() if app in project_app_names())


def own_help_texts(app: str, name: str) -> list[str]:
    command = load_command_class(app, name)
    parser = command.create_parser("manage.py", name)
    django_options = {
        action.dest for action in BaseCommand().create_parser("manage.py", "base")._actions
    }
    texts = [str(command.help)]
    texts += [
        str(action.help)
        for action in parser._actions
        if action.help and action.dest not in django_options
    ]
    return texts


@pytest.mark.parametrize(("app", "name"), project_commands())
def test_every_command_explains_itself_in_italian(app, name):
    english = [text for text in own_help_texts(app, name) if ENGLISH_WORDS.search(text)]

    assert english == []


def test_the_check_finds_our_commands_and_would_catch_english():
    assert ("partnercenter_sandbox", "partnercenter_sandbox") in project_commands()
    assert ENGLISH_WORDS.search("report what would change, change nothing")
