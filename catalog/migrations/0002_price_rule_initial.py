from django.conf import settings
from django.db import migrations


def create_price_rule(apps, schema_editor):
    PriceRule = apps.get_model("catalog", "PriceRule")
    PriceRule.objects.get_or_create(
        id=1, defaults={"default_markup_percent": settings.DEFAULT_MARKUP_PERCENT}
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_price_rule, migrations.RunPython.noop)]
