from django.db import migrations

from jaklitera.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
