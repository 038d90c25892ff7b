"""The sandbox's time: ``elapse`` lets time pass at once (delays and token lifetimes run on, and
business time with them), where ``advance`` moves business time only; tests never sleep."""

from datetime import datetime

import pytest
import requests

from partnercenter.tests.helpers import token_provider_for
from partnercenter.transport import TokenKind

DOMAIN_LOOKUP = "/v1/domains/contosoitalia.onmicrosoft.com"


def post_clock(pc_sandbox, body: dict) -> requests.Response:
    return requests.post(
        f"{pc_sandbox.base_url}/_sandbox/clock", json=body, verify=pc_sandbox.ca_bundle, timeout=5
    )


def get_with_token(pc_sandbox, path: str, token: str) -> requests.Response:
    return requests.get(
        pc_sandbox.base_url + path,
        headers={"Authorization": f"Bearer {token}"},
        verify=pc_sandbox.ca_bundle,
        timeout=5,
    )


def seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def test_elapse_moves_the_sandbox_time_and_business_time_with_it(pc_sandbox):
    before = pc_sandbox.control.clock()

    after = pc_sandbox.control.elapse("PT1H")

    assert (after["elapsed_seconds"], after["offset_seconds"]) == (3600, 0)
    assert 3600 <= seconds_between(before["now"], after["now"]) < 3600 + 60


def test_advance_moves_business_time_and_lets_no_time_pass(pc_sandbox):
    after = pc_sandbox.control.advance_clock("P1D")

    assert (after["elapsed_seconds"], after["offset_seconds"]) == (0, 86400)


def test_a_token_expires_once_its_lifetime_has_elapsed(pc_sandbox):
    # Given a token living an hour, accepted now
    token = token_provider_for(pc_sandbox).access_token(TokenKind.APP)
    assert get_with_token(pc_sandbox, DOMAIN_LOOKUP, token).status_code == 200

    # When an hour elapses
    pc_sandbox.control.elapse("PT1H")

    # Then the same token is refused as expired
    assert get_with_token(pc_sandbox, DOMAIN_LOOKUP, token).status_code == 401


def test_a_reset_puts_the_sandbox_time_back_on_the_wall_clock(pc_sandbox):
    pc_sandbox.control.elapse("PT30M")

    pc_sandbox.control.reset()

    assert pc_sandbox.control.clock()["elapsed_seconds"] == 0


@pytest.mark.parametrize(
    "body", [{"elapse": "P1M"}, {"elapse": "soon"}, {}, {"rewind": "PT1S"}], ids=str
)
def test_the_clock_refuses_what_it_cannot_do_with_400_and_moves_nothing(pc_sandbox, body):
    response = post_clock(pc_sandbox, body)

    assert response.status_code == 400
    clock = pc_sandbox.control.clock()
    assert (clock["elapsed_seconds"], clock["offset_seconds"]) == (0, 0)
