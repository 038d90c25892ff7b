# The wizard's draft moved from tenants (CheckoutDraft) to this app (PurchaseDraft): the rows are
# kept; the model's state moves here and its table is renamed (docs/architecture.md).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('checkout', '0002_cart_constraints'),
        ('tenants', '0002_checkout_draft'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PurchaseDraft',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('customer_choice', models.CharField(blank=True, choices=[('new', 'per un nuovo cliente'), ('existing', 'per un cliente esistente')], max_length=16, verbose_name='cliente')),
                        ('company', models.JSONField(blank=True, default=dict)),
                        ('tenant', models.JSONField(blank=True, default=dict)),
                        ('partner', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('cart', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='purchase_draft', to='checkout.cart')),
                        ('existing_customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenants.customer')),
                    ],
                    options={
                        'verbose_name': 'acquisto in corso',
                        'verbose_name_plural': 'acquisti in corso',
                        'db_table': 'tenants_checkoutdraft',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='purchasedraft', table=None),
    ]
