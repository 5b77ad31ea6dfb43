"""The text index behind search: one row of folded, stemmed terms per group.

`head` holds the terms of the group's names and of its topics, audiences and approaches (labels
and synonyms in all four languages); `body` those of its descriptions and organisation. SQLite
searches them through an FTS5 table kept in step by triggers; PostgreSQL through the GIN
indexes of search_groupterms (the tsvectors of `head || ' ' || body` and of `head`), a narrow
table kept in step by triggers too (migration 0002). Both see the same terms, so both find the
same groups.
"""

from django.db import models

from healingtogether.directory.models import Group


class GroupText(models.Model):
    # The group's id is this row's id, so the full-text index hands back group ids directly.
    group = models.OneToOneField(
        Group, models.CASCADE, primary_key=True, related_name="search_text"
    )
    head = models.TextField()
    body = models.TextField()

    class Meta:
        db_table = "search_grouptext"

    def __str__(self) -> str:
        return f"search text of group {self.pk}"
