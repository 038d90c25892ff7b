"""Microsoft's POST …/carts/{id}/checkout is "submitting the Partner Center cart" here: "checkout"
is only the reseller's cart page. The fields are renamed (rows kept) and the step code stored on
the events of that step follows."""

from django.db import migrations

OLD_STEP, NEW_STEP = "checkout", "cart_submitted"


def rename_step_code(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    OrderEvent.objects.filter(kind="step_completed", code=OLD_STEP).update(code=NEW_STEP)


def restore_step_code(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    OrderEvent.objects.filter(kind="step_completed", code=NEW_STEP).update(code=OLD_STEP)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_order_failure_reason_customer_agreement_unavailable"),
    ]

    operations = [
        migrations.RenameField(
            model_name="order", old_name="checkout_request_id", new_name="cart_submit_request_id"
        ),
        migrations.RenameField(
            model_name="order",
            old_name="checkout_request_outcome_unknown",
            new_name="cart_submit_request_outcome_unknown",
        ),
        migrations.RenameField(
            model_name="order", old_name="checked_out_at", new_name="cart_submitted_at"
        ),
        migrations.RunPython(rename_step_code, restore_step_code),
    ]
