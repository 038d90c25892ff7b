from django.db import migrations, models
from django.db.models import Count


def clear_shared_tenant_ids(apps, schema_editor):
    """Before the constraints: a Partner Center tenant id held by several resellers (adopted with
    another reseller's MPN ID) is cleared on all of them; each learns its own again when its
    profile's MPN ID is next validated. Two resellers with the same MPN ID need staff to decide
    whose it is: the migration stops and names them."""
    Reseller = apps.get_model("storefront", "Reseller")
    shared_tenant_ids = (
        Reseller.objects.exclude(partner_center_tenant_id=None)
        .values("partner_center_tenant_id")
        .annotate(holders=Count("pk"))
        .filter(holders__gt=1)
        .values_list("partner_center_tenant_id", flat=True)
    )
    Reseller.objects.filter(partner_center_tenant_id__in=list(shared_tenant_ids)).update(
        partner_center_tenant_id=None
    )
    shared_mpn_ids = list(
        Reseller.objects.exclude(mpn_id="")
        .values("mpn_id")
        .annotate(holders=Count("pk"))
        .filter(holders__gt=1)
        .values_list("mpn_id", flat=True)
    )
    if shared_mpn_ids:
        holders = Reseller.objects.filter(mpn_id__in=shared_mpn_ids).order_by("mpn_id", "pk")
        listing = ", ".join(f"{reseller.mpn_id} (reseller {reseller.pk})" for reseller in holders)
        raise RuntimeError(
            "Resellers share an MPN ID; keep it only on its owner's profile in the admin, "
            f"then migrate again: {listing}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("storefront", "0002_workerheartbeat"),
    ]

    operations = [
        migrations.RunPython(clear_shared_tenant_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reseller",
            constraint=models.UniqueConstraint(
                condition=models.Q(("mpn_id", ""), _negated=True),
                fields=("mpn_id",),
                name="storefront_reseller_unique_mpn_id",
                violation_error_message="Un altro rivenditore ha già questo MPN ID.",
            ),
        ),
        migrations.AddConstraint(
            model_name="reseller",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partner_center_tenant_id__isnull", False)),
                fields=("partner_center_tenant_id",),
                name="storefront_reseller_unique_partner_center_tenant_id",
                violation_error_message=(
                    "Un altro rivenditore ha già questo tenant id Partner Center."
                ),
            ),
        ),
    ]
