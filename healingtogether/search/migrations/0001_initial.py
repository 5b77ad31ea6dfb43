import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    # External-content FTS5 table: the text lives once, in search_grouptext.
    # prefix='2 3 4': prefix indexes, so "the last word as a prefix" stays fast.
    """CREATE VIRTUAL TABLE search_grouptext_fts USING fts5(
        head, body, content='search_grouptext', content_rowid='group_id',
        tokenize='unicode61', prefix='2 3 4'
    )""",
    """CREATE TRIGGER search_grouptext_ai AFTER INSERT ON search_grouptext BEGIN
        INSERT INTO search_grouptext_fts(rowid, head, body) VALUES (new.group_id, new.head, new.body);
    END""",
    """CREATE TRIGGER search_grouptext_ad AFTER DELETE ON search_grouptext BEGIN
        INSERT INTO search_grouptext_fts(search_grouptext_fts, rowid, head, body)
        VALUES ('delete', old.group_id, old.head, old.body);
    END""",
    """CREATE TRIGGER search_grouptext_au AFTER UPDATE ON search_grouptext BEGIN
        INSERT INTO search_grouptext_fts(search_grouptext_fts, rowid, head, body)
        VALUES ('delete', old.group_id, old.head, old.body);
        INSERT INTO search_grouptext_fts(rowid, head, body) VALUES (new.group_id, new.head, new.body);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER search_grouptext_au",
    "DROP TRIGGER search_grouptext_ad",
    "DROP TRIGGER search_grouptext_ai",
    "DROP TABLE search_grouptext_fts",
]
POSTGRESQL = [
    """CREATE INDEX search_grouptext_document ON search_grouptext
       USING gin (to_tsvector('simple'::regconfig, head || ' ' || body))""",
    """CREATE INDEX search_grouptext_head ON search_grouptext
       USING gin (to_tsvector('simple'::regconfig, head))""",
]
POSTGRESQL_REVERSE = ["DROP INDEX search_grouptext_head", "DROP INDEX search_grouptext_document"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    initial = True

    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="GroupText",
            fields=[
                (
                    "group",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="directory.group",
                    ),
                ),
                ("head", models.TextField()),
                ("body", models.TextField()),
            ],
            options={"db_table": "search_grouptext"},
        ),
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
