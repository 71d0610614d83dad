from django.db import migrations

from jaklitera.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0001_roles"),
        ("visits", "0002_default_schedule"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
