import factory
from stdnum import luhn

from storefront.models import Reseller, User

DEFAULT_PASSWORD = "una-password-lunga-2026"


def make_partita_iva(sequence: int) -> str:
    """A valid Partita IVA per ``sequence`` (1 to 9 999 999): the number, the provincial office
    015 (Milano), the Luhn check digit."""
    first_ten = f"{sequence:07d}015"
    return first_ten + luhn.calc_check_digit(first_ten)


class ResellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reseller

    company_name = factory.Sequence(lambda n: f"Rivenditore {n} S.r.l.")
    vat_number = factory.Sequence(lambda n: make_partita_iva(1000 + n))
    mpn_id = factory.Sequence(lambda n: f"{7000000 + n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utente{n}@rivenditore.example")
    first_name = "Mario"
    last_name = "Rossi"
    reseller = factory.SubFactory(ResellerFactory)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffUserFactory(UserFactory):
    reseller = None
    is_staff = True
    is_superuser = True
