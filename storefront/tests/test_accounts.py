import pytest
from django.urls import reverse

from storefront.tests.factories import DEFAULT_PASSWORD, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in_from_every_storefront_page(client):
    for name in [
        "home",
        "catalog:index",
        "checkout:cart",
        "orders:order_list",
        "tenants:customer_list",
        "profile",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_sign_in_page_and_health_are_public(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("health"))
    assert response.json() == {"status": "ok", "database": "ok"}


def test_reseller_user_signs_in_with_email_and_reaches_the_catalog(client):
    user = UserFactory()
    response = client.post(
        reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("catalog:index")
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_staff_without_reseller_is_refused_the_storefront_but_not_the_admin(client):
    client.force_login(StaffUserFactory())
    storefront = client.get(reverse("catalog:index"))
    assert storefront.status_code == 403
    assert "Accesso riservato ai rivenditori" in storefront.content.decode()
    assert client.get(reverse("admin:index")).status_code == 200


def test_each_reseller_sees_only_its_own_team_on_the_profile(client):
    alice = UserFactory(email="alice@alfa.example")
    colleague = UserFactory(email="carla@alfa.example", reseller=alice.reseller)
    bob = UserFactory(email="bob@beta.example")

    client.force_login(alice)
    alice_page = client.get(reverse("profile")).content.decode()
    client.force_login(bob)
    bob_page = client.get(reverse("profile")).content.decode()

    assert alice.reseller.company_name in alice_page and colleague.email in alice_page
    assert bob.email not in alice_page and bob.reseller.company_name not in alice_page
    assert bob.email in bob_page
    assert alice.email not in bob_page and colleague.email not in bob_page


def test_sign_in_locks_out_after_repeated_wrong_passwords(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": user.email, "password": "sbagliata"})
        assert response.status_code == 200
    last_wrong = client.post(reverse("login"), {"username": user.email, "password": "sbagliata"})
    assert last_wrong.status_code == 429
    locked = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})
    assert locked.status_code == 429
    assert "Accesso temporaneamente bloccato" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_language_switch_is_remembered_for_the_user(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("language_switch"), {"language": "en", "next": "/profilo/"})
    assert response.status_code == 302 and response["Location"] == "/profilo/"
    user.refresh_from_db()
    assert user.language == "en"
    assert client.get(reverse("profile")).headers["Content-Language"] == "en"


def test_language_switch_refuses_an_offsite_redirect_and_unknown_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("language_switch"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.language == "it"


def wrong_passwords(client, email: str, *, addresses: list[str], each: int) -> list[int]:
    return [
        client.post(
            reverse("login"), {"username": email, "password": "sbagliata"}, REMOTE_ADDR=address
        ).status_code
        for address in addresses
        for _ in range(each)
    ]


def test_the_account_locks_after_more_failures_from_any_addresses(client, settings):
    # Given a per-address limit of 3 and an account limit of 6
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 6
    user = UserFactory()

    # When 2 wrong passwords come from each of 3 addresses (no address reaches its own limit)
    statuses = wrong_passwords(
        client, user.email, addresses=["198.51.100.1", "198.51.100.2", "198.51.100.3"], each=2
    )

    # Then the sixth is answered with the lockout, and the right password from a fourth address
    # is refused too
    assert statuses == [200, 200, 200, 200, 200, 429]
    locked = client.post(
        reverse("login"),
        {"username": user.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert locked.status_code == 429
    assert "Accesso temporaneamente bloccato" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_below_the_account_limit_another_address_still_signs_in(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 6
    user = UserFactory()
    other = UserFactory()
    wrong_passwords(client, user.email, addresses=["198.51.100.1", "198.51.100.2"], each=2)
    # Another account's failures do not count towards this one's
    wrong_passwords(client, other.email, addresses=["198.51.100.3"], each=2)

    response = client.post(
        reverse("login"),
        {"username": user.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# --- Password reset -----------------------------------------------------------------------------

RESET_LIMITED_TEXT = "Sono già state chieste troppe e-mail di reimpostazione della password"


def ask_reset(client, email: str, address: str = "198.51.100.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.parametrize("has_account", [True, False], ids=["existing", "unknown"])
def test_password_reset_e_mails_are_limited_per_address_typed(
    client, settings, mailoutbox, has_account
):
    # Given 3 e-mails an hour per address typed
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "3/h"
    settings.PASSWORD_RESET_RATE_PER_IP = "100/h"
    email = UserFactory().email if has_account else "nessuno@sconosciuto.example"

    # When the form is sent 5 times for it, from different client addresses
    responses = [
        ask_reset(client, email.upper() if n % 2 else email, f"198.51.100.{n}") for n in range(5)
    ]

    # Then the first 3 go through as usual, the others are refused with the same message
    # whether or not an account has the address, and no more e-mails are sent
    assert [response.status_code for response in responses] == [302, 302, 302, 429, 429]
    assert all(response["Location"] == reverse("password_reset_done") for response in responses[:3])
    assert int(responses[3]["Retry-After"]) > 0
    page = responses[4].content.decode()
    assert RESET_LIMITED_TEXT in page
    assert "riprova tra" in page
    assert len(mailoutbox) == (3 if has_account else 0)


def test_password_reset_e_mails_are_limited_per_client_address(client, settings, mailoutbox):
    # Given 2 requests an hour per client address
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "100/h"
    settings.PASSWORD_RESET_RATE_PER_IP = "2/h"
    users = [UserFactory() for _ in range(3)]

    # When one address asks for three accounts, and another address for the third
    responses = [ask_reset(client, user.email) for user in users]
    elsewhere = ask_reset(client, users[2].email, address="203.0.113.5")

    # Then the third request from the first address is refused, the other address is not
    assert [response.status_code for response in responses] == [302, 302, 429]
    assert RESET_LIMITED_TEXT in responses[2].content.decode()
    assert elsewhere.status_code == 302
    assert [message.to for message in mailoutbox] == [[user.email] for user in users]


# --- Deactivated reseller -----------------------------------------------------------------------


def test_a_deactivated_resellers_user_signs_in_to_a_page_that_says_so(client, settings):
    # Given a reseller that staff deactivated
    user = UserFactory()
    user.reseller.is_active = False
    user.reseller.save(update_fields=["is_active"])

    # When its user signs in
    response = client.post(
        reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD}, follow=True
    )

    # Then every page says the account is deactivated, with the support contact
    assert response.status_code == 403
    page = response.content.decode()
    assert "Account del rivenditore disattivato" in page
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in page
    for name in ["catalog:index", "checkout:cart", "orders:order_list", "profile"]:
        assert client.get(reverse(name)).status_code == 403, name

    # And signing out still works
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_reactivated_the_reseller_works_again(client):
    user = UserFactory()
    client.force_login(user)
    user.reseller.is_active = False
    user.reseller.save(update_fields=["is_active"])
    assert client.get(reverse("catalog:index")).status_code == 403

    user.reseller.is_active = True
    user.reseller.save(update_fields=["is_active"])

    assert client.get(reverse("catalog:index")).status_code == 200


def test_the_deactivated_page_is_in_english_for_an_english_user(client):
    user = UserFactory(language="en")
    user.reseller.is_active = False
    user.reseller.save(update_fields=["is_active"])
    client.force_login(user)

    page = client.get(reverse("catalog:index")).content.decode()

    assert "Reseller account deactivated" in page
    assert "The distributor has deactivated your company's account" in page
    assert "To find out why, or to have it reactivated, contact support" in page


# --- Behind a proxy (README, "Behind a proxy") --------------------------------------------------


@pytest.fixture
def behind_a_proxy(settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"


PROXY = "10.0.0.2"


def through_the_proxy(client, url: str, data: dict, *, client_address: str, forged: str = ""):
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return client.post(url, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_a_proxy_limits_count_each_client_not_the_proxy(client, settings, behind_a_proxy):
    # Given 2 password-reset requests an hour per client address, every client behind one proxy
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "100/h"
    settings.PASSWORD_RESET_RATE_PER_IP = "2/h"
    url = reverse("password_reset")

    # When one client asks twice, then forges another address in front of its own
    first = [
        through_the_proxy(client, url, {"email": f"a{n}@x.example"}, client_address="8.8.8.8")
        for n in range(2)
    ]
    forged = through_the_proxy(
        client, url, {"email": "b@x.example"}, client_address="8.8.8.8", forged="1.2.3.4"
    )
    other_client = through_the_proxy(
        client, url, {"email": "c@x.example"}, client_address="9.9.9.9"
    )

    # Then the forged one is still counted as its own; another client is not limited
    assert [response.status_code for response in first] == [302, 302]
    assert forged.status_code == 429
    assert other_client.status_code == 302


def test_behind_a_proxy_sign_in_locks_the_client_not_everyone(client, settings, behind_a_proxy):
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory()
    url = reverse("login")
    wrong = {"username": user.email, "password": "sbagliata"}

    statuses = [
        through_the_proxy(client, url, wrong, client_address="8.8.8.8").status_code
        for _ in range(2)
    ]
    right = {"username": user.email, "password": DEFAULT_PASSWORD}
    elsewhere = through_the_proxy(client, url, right, client_address="9.9.9.9")

    assert statuses == [200, 429]
    assert elsewhere.status_code == 302
