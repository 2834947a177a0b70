"""Leave room in each PostgreSQL page of answers, so that rescoring updates in place.

Rescoring rewrites Answer.points, a column no index covers. With free space on the page
PostgreSQL writes the new row version there ("HOT" update) and touches none of the
table's four indexes; on full pages (the default fillfactor of 100) every update writes
to all of them. Measured in bench/assessment_scale.py: about 1 s of a 6 s full
recomputation. SQLite has no such setting; nothing is done there.
"""

from django.db import migrations


def set_fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("assessments", "Answer")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(value)})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor(80), set_fillfactor(100))]
