from django.db import migrations

from jaklitera.roles import roles_sync_migration


class Migration(migrations.Migration):
    """Verifikator loses members.view_member / view_document: nothing used them (exactly what they need)."""

    dependencies = [
        ("verification", "0003_roles_queue"),
        ("visits", "0009_schedule_default_callables"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
