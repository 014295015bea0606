"""Comms staff may look at webhook endpoints and deliveries in the admin, and resend deliveries.

Model permissions decide what each role sees and changes in the admin (docs/architecture.md,
"Admin"). Django creates permissions after all migrations (post_migrate), so they are
created here first for this app.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APP = "webhooks"
GRANTS: dict[str, dict[str, list[str]]] = {
    "Comms staff": {
        "webhookendpoint": ["view"],
        "webhookdelivery": ["view", "change"],
    },
}


def _permissions(apps, models):
    app_config = apps.get_app_config(APP)
    app_config.models_module = True  # create_permissions skips apps without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
    permissions = list(
        Permission.objects.filter(content_type__app_label=APP, codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"permissions not found: {sorted(missing)}")
    return permissions


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, models in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, models))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, models in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, models))


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
