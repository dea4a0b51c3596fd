"""The synonym groups every bank community needs from day one; staff edit them in the admin."""

from django.db import migrations

DEFAULT_GROUPS = [
    "СБП, система быстрых платежей, SBP",
    "банкомат, ATM, cash machine",
    "СМС, SMS, смс-сообщение",
    "ПИН, PIN, пин-код",
    "кэшбэк, кешбэк, cashback",
]


def add_groups(apps, schema_editor) -> None:
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    for phrases in DEFAULT_GROUPS:
        SynonymGroup.objects.get_or_create(phrases=phrases)


def remove_groups(apps, schema_editor) -> None:
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    SynonymGroup.objects.filter(phrases__in=DEFAULT_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0003_full_text_indexes")]

    operations = [migrations.RunPython(add_groups, remove_groups)]
