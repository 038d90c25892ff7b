import pytest
from django.template.loader import get_template

from purchase.selectors import WizardStep
from purchase.views.base import STEP_URL_NAMES


@pytest.mark.parametrize("step", list(WizardStep))
def test_each_step_names_its_url_and_its_template_by_its_value(step):
    assert STEP_URL_NAMES[step] == f"purchase:{step.value}"
    assert get_template(f"purchase/{step}.html").origin.name.endswith(f"purchase/{step.value}.html")
