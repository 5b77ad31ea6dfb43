"""The text index behind search: one row of folded, stemmed terms per group.

`head` holds the terms of the group's names and of its topics, audiences and approaches (labels
and synonyms in all four languages); `body` those of its descriptions and organisation. SQLite
searches them through an FTS5 table kept in step by triggers; PostgreSQL through the GIN
indexes of search_groupterms (the tsvectors of `head || ' ' || body` and of `head`), a narrow
table kept in step by triggers too (migration 0003). Both see the same terms, so both find the
same groups. The search snapshot reads the same rows into its own inverted lists
(wordindex.py), which is what a search asks; the database's index serves the HSDS API's `search`.
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


class GroupMeaning(models.Model):
    """A group's passage (names, summary, topics and audiences) as the embedding model sees it:
    one vector of float16 (search/meaning.py), kept with the group so that a new worker or a
    rebuilt snapshot reads it instead of running the model again. `model` names the model that
    made it: a vector from another model is made again by `index_groups`."""

    group = models.OneToOneField(
        Group, models.CASCADE, primary_key=True, related_name="search_meaning"
    )
    vector = models.BinaryField()
    model = models.CharField(max_length=80)
    # When the vector was last written: a rebuilt snapshot reads only the newer ones again.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        db_table = "search_groupmeaning"

    def __str__(self) -> str:
        return f"meaning of group {self.pk}"
