from django.db import migrations

from jaklitera.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0002_queue"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
