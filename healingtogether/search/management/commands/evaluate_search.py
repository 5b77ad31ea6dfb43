"""How well search understands people: keyword only against words and meaning (hybrid).

Reads search/evaluation/queries.json (queries written the way people type, in our four
languages, each with the topics it expects) and crisis.json (crisis phrasings and ordinary
queries), and prints, per language and in all:

- topic recall@3: the share of queries with an expected topic among the three suggested
  (keyword only: the topics whose labels or synonyms share a word with the query);
- first page: the share of queries whose first page of results holds a group of an expected topic,
  on the groups in this database;
- crisis: phrasings missed, and ordinary queries taken for a crisis.

`--sweep` also prints the figures at other thresholds, to choose them. Run it on a database with
the bundled data loaded (`make data`). Nothing is written.
"""

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand
from django.utils import translation

from healingtogether.directory.models import Group, Topic
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.text import index_text, terms, words
from healingtogether.search import crisis, engine, meaning

EVALUATION = Path(__file__).resolve().parents[2] / "evaluation"


def _keyword_topics(q: str, topic_terms: dict, limit: int = 3) -> list[str]:
    """Topics whose labels or synonyms share words with the query, most shared first."""
    query = set().union(*(terms(w) for w in words(q))) if words(q) else set()
    shared = {slug: len(query & found) for slug, found in topic_terms.items()}
    return [s for s in sorted(shared, key=lambda s: -shared[s]) if shared[s]][:limit]


class Command(BaseCommand):
    help = "Print topic recall@3, first-page hits and crisis detection, keyword only and hybrid."

    def add_arguments(self, parser):
        parser.add_argument("--sweep", action="store_true", help="figures at other thresholds")

    def handle(self, *args, **options):
        queries = json.loads((EVALUATION / "queries.json").read_text(encoding="utf-8"))
        crises = json.loads((EVALUATION / "crisis.json").read_text(encoding="utf-8"))
        if not meaning.available():
            self.stdout.write("The model is unavailable: hybrid figures equal keyword only.")
        topics = list(Topic.objects.all())
        topic_terms = {
            t.slug: set(
                index_text(
                    *(getattr(t, f"label_{c}") for c in CONTENT_LANGUAGES),
                    *(getattr(t, f"synonyms_{c}") for c in CONTENT_LANGUAGES),
                ).split()
            )
            for t in topics
        }
        self._topics(queries, topics, topic_terms, options["sweep"])
        self._first_page(queries)
        self._crisis(crises, options["sweep"])

    def _table(self, title: str, rows: dict) -> None:
        """rows: name -> {language: (hits, total)}."""
        self.stdout.write(f"\n{title}")
        languages = [*CONTENT_LANGUAGES, "all"]
        self.stdout.write(f"{'':<16}" + "".join(f"{lang:>9}" for lang in languages))
        for name, by_language in rows.items():
            cells = []
            for lang in languages:
                hits, total = by_language.get(lang, (0, 0))
                cells.append(f"{hits / total:>9.1%}" if total else f"{'-':>9}")
            self.stdout.write(f"{name:<16}" + "".join(cells))

    @staticmethod
    def _count(pairs) -> dict:
        """pairs of (language, hit) -> {language: (hits, total)}, with "all"."""
        found = defaultdict(lambda: [0, 0])
        for lang, hit in pairs:
            for key in (lang, "all"):
                found[key][0] += bool(hit)
                found[key][1] += 1
        return {k: tuple(v) for k, v in found.items()}

    def _topics(self, queries, topics, topic_terms, sweep) -> None:
        slugs = [t.slug for t in topics]
        keyword, hybrid = [], []
        for item in queries:
            expected = set(item["topics"])
            keyword.append((item["lang"], expected & set(_keyword_topics(item["q"], topic_terms))))
            found = meaning.suggest_topics(meaning.embed_query(item["q"]), topics)
            hybrid.append((item["lang"], expected & {t.slug for t in found}))
        self._table(
            f"Topic recall@3 of the suggestions ({len(queries)} queries, threshold "
            f"{meaning.TOPIC_SIMILARITY})",
            {"keyword only": self._count(keyword), "hybrid": self._count(hybrid)},
        )
        if sweep and meaning.available():
            self._sweep_topics(queries, topics, slugs)

    def _sweep_topics(self, queries, topics, slugs) -> None:
        texts, owners = meaning._topic_texts(topics)
        vectors = meaning.embed_texts(texts)
        self.stdout.write("\nthreshold  lead above the median  recall@3  suggestions per query")
        best_by_query = []
        for item in queries:
            best = np.full(len(topics), -1.0)
            np.maximum.at(best, np.array(owners), vectors @ meaning.embed_query(item["q"]))
            best_by_query.append((set(item["topics"]), best))
        for threshold in np.arange(0.78, 0.85, 0.01):
            for lead in (0.0, 0.01, 0.02, 0.03):
                hits = shown = 0
                for expected, best in best_by_query:
                    floor = max(threshold, np.median(best) + lead)
                    order = [slugs[n] for n in np.argsort(-best) if best[n] >= floor][:3]
                    hits += bool(expected & set(order))
                    shown += len(order)
                self.stdout.write(
                    f"{threshold:9.2f}  lead {lead:.2f}  {hits / len(queries):8.1%}  "
                    f"{shown / len(queries):.2f}"
                )

    def _first_page(self, queries) -> None:
        rows = {}
        for mode in ("off", "on"):
            pairs = []
            for item in queries:
                with translation.override(item["lang"]):
                    results = engine.run(engine.parse({"q": item["q"], "semantic": mode}))
                found = {t.slug for g in results.groups for t in g.topics.all()}
                pairs.append((item["lang"], found & set(item["topics"])))
            rows["keyword only" if mode == "off" else "hybrid"] = self._count(pairs)
        present = set(
            Group.objects.searchable().filter(topics__isnull=False).values_list("topics__slug")
        )
        present = {slug for (slug,) in present}
        rows["reachable"] = self._count(
            (item["lang"], present & set(item["topics"])) for item in queries
        )
        searchable = Group.objects.searchable().count()
        self._table(
            f"First page holds a group of an expected topic ({searchable} searchable groups; "
            "reachable: some group has an expected topic)",
            rows,
        )

    def _crisis(self, crises, sweep) -> None:
        phrasings, ordinary = crises["crisis"], crises["ordinary"]
        self.stdout.write(
            f"\nCrisis detection ({len(phrasings)} crisis phrasings, {len(ordinary)} ordinary "
            f"queries, model similarity {crisis.SIMILARITY})"
        )
        for name, with_model in (("phrase list only", False), ("phrases + model", True)):

            def detect(q, with_model=with_model):
                return crisis.in_crisis(q, meaning.embed_query(q) if with_model else None)

            missed = [c["q"] for c in phrasings if not detect(c["q"])]
            alarms = [q for q in ordinary if detect(q)]
            self.stdout.write(
                f"{name:<18} missed {len(missed)}/{len(phrasings)}   false alarms "
                f"{len(alarms)}/{len(ordinary)} ({len(alarms) / len(ordinary):.1%})"
            )
            for q in missed:
                self.stdout.write(f"   missed: {q}")
            for q in alarms:
                self.stdout.write(f"   false alarm: {q}")
        if sweep and meaning.available():
            self.stdout.write("\nsimilarity  missed by the model alone  false alarms of both")
            crisis_scores = [crisis.similarity(meaning.embed_query(c["q"])) for c in phrasings]
            ordinary_scores = [
                (crisis.by_phrase(q), crisis.similarity(meaning.embed_query(q))) for q in ordinary
            ]
            for threshold in np.arange(0.86, 0.97, 0.01):
                missed = sum(s < threshold for s in crisis_scores)
                alarms = sum(p or s >= threshold for p, s in ordinary_scores)
                self.stdout.write(f"{threshold:10.2f}  {missed:>24}  {alarms:>19}")
