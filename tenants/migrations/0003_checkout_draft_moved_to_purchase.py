# The draft lives in purchase.PurchaseDraft now (purchase/migrations/0001_initial.py renamed its
# table); only the model's state leaves this app.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('purchase', '0001_initial'),
        ('tenants', '0002_checkout_draft'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CheckoutDraft')],
        ),
    ]
