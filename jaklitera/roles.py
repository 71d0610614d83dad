"""Staff groups and exactly the permissions each needs.

Data migrations call :func:`roles_sync` so a fresh database has the groups;
when a later feature adds a permission, add it here and a migration that calls
this again.
"""

VERIFIKATOR = "Verifikator"
PETUGAS_LAYANAN = "Petugas Layanan"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Librarians: the review queue and the members' documents.
    VERIFIKATOR: [
        "members.view_private_document",
        # The review queue (verification app): open, claim and decide submissions; read decisions.
        "verification.view_submission",
        "verification.change_submission",
        "verification.decide_submission",
        "verification.view_decision",
    ],
    # Front desk: visits (filled in by the visits app); never documents.
    PETUGAS_LAYANAN: [
        # Sessions (capacity, close), reservations (view, cancel), schedule, closures, house rules.
        "visits.view_session",
        "visits.change_session",
        "visits.view_reservation",
        "visits.change_reservation",
        "visits.view_weekdayschedule",
        "visits.change_weekdayschedule",
        "visits.view_sessionslot",
        "visits.add_sessionslot",
        "visits.change_sessionslot",
        "visits.delete_sessionslot",
        "visits.view_closure",
        "visits.add_closure",
        "visits.change_closure",
        "visits.delete_closure",
        "visits.view_visitnotice",
        "visits.change_visitnotice",
        # The desk (docs/operations.md): day list, check-in, walk-ins, exports; the member's
        # close-up photo at check-in only (its own permission, never members.view_private_document);
        # no-show blocks (lift = change); the desk's log.
        "visits.use_desk",
        "visits.view_visitor_photo",
        "visits.view_visitblock",
        "visits.change_visitblock",
        "visits.view_deskevent",
        # Rombongan (group visits): the pending list, decide (approve/reject/move), check-in,
        # the request letter (an institution's letter, not a personal identity document; each
        # view logged), the decision history and the letter access log.
        "visits.view_groupvisit",
        "visits.decide_groupvisit",
        "visits.view_group_letter",
        "visits.view_groupvisitevent",
        "visits.view_groupletteraccess",
    ],
}


def roles_sync(apps=None) -> None:
    """Create the groups and set their permissions to exactly ROLE_PERMISSIONS."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            if not _has_models(apps, app_label):
                # An earlier migration runs before this app's models exist; its own later migration syncs again.
                continue
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:
                # Added by a later migration of that app (e.g. visits 0004 runs before the group
                # models of 0006 exist); that migration calls roles_sync again. Test: tests/visits/test_groups.py.
                continue
            permissions.append(permission)
        group.permissions.set(permissions)


def _has_models(apps, app_label: str) -> bool:
    try:
        return any(True for _model in apps.get_app_config(app_label).get_models())
    except LookupError:
        return False


def roles_sync_migration(apps, schema_editor) -> None:
    """RunPython entry for the roles data migrations: create the permissions known so far, then sync.

    Permissions are normally created after all migrations (post_migrate); the groups need them now.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps)


def staff_has_perms(user, *perms: str) -> bool:
    """Active staff holding every one of ``perms`` (superusers implicitly). A permission alone
    is never enough: granted to a member account by mistake, it must not open staff pages."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.has_perms(perms))
