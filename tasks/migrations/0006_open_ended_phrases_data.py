"""Seed the open-ended wording that plan attachments use instead of unit names."""

from django.db import migrations

PHRASES = [
    "各地有关部门",
    "相关省份有关部门",
    "各有关单位",
    "各有关部门",
    "有关部门",
    "相关部门",
    "有关单位",
    "有关行业主管部门",
    "各行业主管部门",
    "各镇街",
    "各镇（街道）",
    "各镇街道",
    "各学校",
    "各职业学校",
    "各中小学",
    "各区市",
    "各区市有关部门",
]


def add_phrases(apps, schema_editor):
    OpenEndedPhrase = apps.get_model("tasks", "OpenEndedPhrase")
    for text in PHRASES:
        OpenEndedPhrase.objects.get_or_create(text=text)


def remove_phrases(apps, schema_editor):
    apps.get_model("tasks", "OpenEndedPhrase").objects.filter(text__in=PHRASES).delete()


class Migration(migrations.Migration):
    dependencies = [("tasks", "0005_attachment_import_amendments")]

    operations = [migrations.RunPython(add_phrases, remove_phrases)]
