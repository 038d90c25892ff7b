"""static/js/wizard.js colours and sets the live «Domain Prefix» check by the outcome's value:
its literals must be PrefixCheckOutcome's values, or a renamed outcome would silently lose them."""

import re
from pathlib import Path

from django.conf import settings

from tenants.services import PrefixCheckOutcome

WIZARD_JS = Path(settings.BASE_DIR) / "static" / "js" / "wizard.js"
CLIENT_ONLY_STATES = {"checking"}  # shown while the request is on its way


def wizard_js() -> str:
    return WIZARD_JS.read_text(encoding="utf-8")


def test_every_outcome_has_its_colour_in_wizard_js_and_no_other():
    block = re.search(r"const STATUS_CLASSES = \{(.*?)\};", wizard_js(), re.DOTALL).group(1)
    keys = set(re.findall(r"^\s*(\w+):", block, re.MULTILINE))

    assert keys == set(PrefixCheckOutcome.values) | CLIENT_ONLY_STATES


def test_states_wizard_js_shows_by_itself_are_outcomes():
    shown = set(re.findall(r"\bshow\(\"(\w+)\"", wizard_js()))

    assert shown == {PrefixCheckOutcome.UNAVAILABLE, *CLIENT_ONLY_STATES}
