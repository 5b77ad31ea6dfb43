"""PostgreSQL: the text index in a narrow table of stored tsvectors, searched by one function.

Before, GIN indexes on `to_tsvector(…)` expressions over search_grouptext took 60 to 130 ms for
a word over 100,000 groups: a word matches tens of thousands of groups, and the scan visited as
many rows of a wide table (the whole text, inline), and the planner often preferred reading
all of it. Now, like SQLite's FTS5 table beside search_grouptext, triggers keep one row per
group in search_groupterms: its id and the tsvectors of its whole text and of its head, stored
out of line (toast_tuple_target), so the table itself is a few megabytes and a bitmap scan of
its GIN indexes touches little more than the indexes. search_matching_ids(query) returns both
lists of ids in one round trip, with sequential scans off inside it: reading every row's
tsvector back is never faster than the index, whatever the planner estimates. The GIN indexes
keep no pending list (fastupdate off): writes are rare (the one listing writer), searches many.
"""

from django.db import migrations

POSTGRESQL = [
    "DROP INDEX IF EXISTS search_grouptext_document",
    "DROP INDEX IF EXISTS search_grouptext_head",
    """CREATE TABLE search_groupterms (
        group_id bigint PRIMARY KEY,
        document tsvector NOT NULL,
        head tsvector NOT NULL
    ) WITH (toast_tuple_target = 128)""",
    """INSERT INTO search_groupterms (group_id, document, head)
       SELECT group_id, to_tsvector('simple'::regconfig, head || ' ' || body),
              to_tsvector('simple'::regconfig, head)
       FROM search_grouptext""",
    """CREATE INDEX search_groupterms_document ON search_groupterms
       USING gin (document) WITH (fastupdate = off)""",
    """CREATE INDEX search_groupterms_head ON search_groupterms
       USING gin (head) WITH (fastupdate = off)""",
    """CREATE FUNCTION search_grouptext_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_groupterms WHERE group_id = OLD.group_id;
            RETURN OLD;
        END IF;
        INSERT INTO search_groupterms (group_id, document, head)
        VALUES (
            NEW.group_id,
            to_tsvector('simple'::regconfig, NEW.head || ' ' || NEW.body),
            to_tsvector('simple'::regconfig, NEW.head)
        )
        ON CONFLICT (group_id)
        DO UPDATE SET document = EXCLUDED.document, head = EXCLUDED.head;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_grouptext_follow
       AFTER INSERT OR UPDATE OR DELETE ON search_grouptext
       FOR EACH ROW EXECUTE FUNCTION search_grouptext_follow()""",
    # Django's test flush empties tables with TRUNCATE, which row triggers don't see.
    """CREATE FUNCTION search_grouptext_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE search_groupterms;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_grouptext_emptied AFTER TRUNCATE ON search_grouptext
       FOR EACH STATEMENT EXECUTE FUNCTION search_grouptext_emptied()""",
    """CREATE FUNCTION search_matching_ids(query text, OUT found bigint[], OUT in_head bigint[])
       LANGUAGE sql STABLE SET enable_seqscan = off AS $$
        SELECT
            coalesce((SELECT array_agg(group_id) FROM search_groupterms
                      WHERE document @@ to_tsquery('simple'::regconfig, query)), '{}'),
            coalesce((SELECT array_agg(group_id) FROM search_groupterms
                      WHERE head @@ to_tsquery('simple'::regconfig, query)), '{}')
    $$""",
    "ANALYZE search_groupterms",
]
POSTGRESQL_REVERSE = [
    "DROP FUNCTION search_matching_ids(text)",
    "DROP TRIGGER search_grouptext_emptied ON search_grouptext",
    "DROP FUNCTION search_grouptext_emptied()",
    "DROP TRIGGER search_grouptext_follow ON search_grouptext",
    "DROP FUNCTION search_grouptext_follow()",
    "DROP TABLE search_groupterms",
    """CREATE INDEX search_grouptext_document ON search_grouptext
       USING gin (to_tsvector('simple'::regconfig, head || ' ' || body))""",
    """CREATE INDEX search_grouptext_head ON search_grouptext
       USING gin (to_tsvector('simple'::regconfig, head))""",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0002_groupmeaning")]

    operations = [migrations.RunPython(run(POSTGRESQL), run(POSTGRESQL_REVERSE))]
