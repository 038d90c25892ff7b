"""Hostile text in the query string of every page and in the path: never a 500, always escaped."""

from urllib.parse import quote

import pytest

from tests.abuse.forms import IMAGE, PAYLOADS, SCRIPT, Raw, assert_safe_answer
from tests.abuse.routes import ROUTES
from tests.abuse.world import ALFA, client_for, partner_center

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.mark.parametrize("payload_id", ["script", "image", "10k", "nul", "surrogate", "huge"])
def test_every_page_shows_a_hostile_query_string_escaped(world, pc_sandbox, payload_id):
    # The footer's language form carries the page's full path back: every page echoes the query.
    payload = PAYLOADS[payload_id]
    query = payload.encoded if isinstance(payload, Raw) else quote(payload)
    client = client_for(world, ALFA)
    for route in ROUTES:
        if route.own["GET"] != 200:
            continue
        response = client.get(f"{route.url(world)}?next={query}&q={query}")
        assert_safe_answer(response, where=route.name)
        assert response.status_code == 200, route.name


PATH_PAYLOADS = {
    "script": quote(SCRIPT, safe=""),
    "image": quote(IMAGE, safe=""),
    "10k": "x" * 10_000,
    "nul": "abc%00def",
    "surrogate": "%ED%A0%80%FF%FE",
    "bidi-emoji": quote("\u202eevil😀", safe=""),
}


@pytest.mark.parametrize("payload_id", PATH_PAYLOADS)
def test_hostile_text_in_the_path_never_gives_a_500(request, world, payload_id):
    partner_center(request, is_called=False)
    segment = PATH_PAYLOADS[payload_id]
    client = client_for(world, ALFA)
    paths = [
        f"/catalogo/{segment}/",
        f"/accounts/reset/{segment}/{segment}/",
        f"/accounts/reset/MQ/{segment}/",
    ]
    for path in paths:
        response = client.get(path)
        assert_safe_answer(response, where=path)
        assert response.status_code in (200, 404), path
