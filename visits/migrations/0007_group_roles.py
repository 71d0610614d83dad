from django.db import migrations

from jaklitera.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0006_group_visits"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
