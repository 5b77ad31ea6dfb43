"""Load the bundled guides from data/articles/.

Each guide is a folder named after its slug:

    data/articles/<slug>/meta.json   {"topics": [...], "published": "YYYY-MM-DD",
                                      "author": "...", "order": 1}
    data/articles/<slug>/<lang>.md   for each of en, fr, nl and de:
        ---
        title: ...
        summary: ...
        ---
        Markdown body

Every file is checked before anything is written; each problem names the file and the field. The
writes happen in one transaction. Running the loader again updates guides whose files changed and
doubles nothing; a guide a moderator edited in the admin since it was loaded is left alone.
"""

import hashlib
import json
import re
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from healingtogether.directory.models import Topic
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.loading import LoadError

from .models import RESERVED_SLUGS, Article

ARTICLES_DIR = Path(settings.BASE_DIR) / "data" / "articles"
SOURCE = "data-articles"
FRONT_MATTER_KEYS = ("title", "summary")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _front_matter(text: str, where: str, problems: list) -> tuple[dict, str]:
    """Split a Markdown file into its front matter (title, summary) and its body."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(f"{where}: front matter: must start with a line '---'")
        return {}, ""
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(f"{where}: front matter: no closing line '---'")
        return {}, ""
    fields, key = {}, None
    for line in lines[1:end]:
        if not line.strip():
            continue
        match = re.match(r"^([A-Za-z_]+):\s*(.*)$", line)
        if match:
            key = match.group(1).lower()
            if key not in FRONT_MATTER_KEYS:
                problems.append(f"{where}: {key}: unknown field (use title and summary)")
            fields[key] = match.group(2).strip()
        elif key and line[:1].isspace():
            # A long summary may continue on indented lines.
            fields[key] = f"{fields[key]} {line.strip()}".strip()
        else:
            problems.append(f"{where}: front matter: cannot read the line {line.strip()!r}")
    for name, value in fields.items():
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            fields[name] = value[1:-1].strip()
    return fields, "\n".join(lines[end + 1 :]).strip()


def _read_language(path: Path, problems: list) -> dict:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(f"{where}: file: missing (every guide needs en, fr, nl and de)")
        return {}
    except UnicodeDecodeError:
        problems.append(f"{where}: file: not UTF-8 text")
        return {}
    fields, body = _front_matter(text, where, problems)
    if not body:
        problems.append(f"{where}: body: missing")
    title = fields.get("title", "")
    if not title:
        problems.append(f"{where}: title: missing")
    elif len(title) > Article._meta.get_field("title_en").max_length:
        problems.append(f"{where}: title: longer than 200 characters")
    if not fields.get("summary"):
        problems.append(f"{where}: summary: missing")
    return {"title": title, "summary": fields.get("summary", ""), "body": body}


def _read_meta(path: Path, topics: set, problems: list) -> dict:
    where = str(path)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{where}: file: missing")
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        problems.append(f"{where}: file: not valid JSON ({error})")
        return {}
    if not isinstance(meta, dict):
        problems.append(f"{where}: file: must hold an object")
        return {}
    for key in sorted(set(meta) - {"topics", "published", "author", "order"}):
        problems.append(f"{where}: {key}: unknown field")
    chosen = meta.get("topics")
    if not isinstance(chosen, list) or not all(isinstance(t, str) for t in chosen):
        problems.append(f"{where}: topics: must be a list of topic slugs")
    else:
        for slug in chosen:
            if slug not in topics:
                problems.append(f"{where}: topics: unknown topic {slug!r}")
    published = meta.get("published")
    try:
        if not isinstance(published, str) or not DATE.match(published):
            raise ValueError
        meta["published"] = date.fromisoformat(published)
    except ValueError:
        problems.append(f"{where}: published: must be a date written YYYY-MM-DD")
    author = meta.get("author")
    if not isinstance(author, str) or not author.strip():
        problems.append(f"{where}: author: missing")
    order = meta.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 32767:
        problems.append(f"{where}: order: must be a whole number from 0")
    return meta


def read_articles(directory: Path) -> list[dict]:
    """Every guide in `directory` as a dict of Article fields; raises LoadError listing every
    problem in every file."""
    if not directory.is_dir():
        raise LoadError(directory, ["folder not found"])
    topics = set(Topic.objects.values_list("slug", flat=True))
    problems, articles = [], []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        slug = folder.name
        if slugify(slug) != slug or slug in RESERVED_SLUGS:
            problems.append(f"{folder}: slug: use lowercase letters, digits and hyphens")
        for extra in sorted(folder.glob("*.md")):
            if extra.stem not in CONTENT_LANGUAGES:
                problems.append(f"{extra}: file: not one of en.md, fr.md, nl.md, de.md")
        meta = _read_meta(folder / "meta.json", topics, problems)
        article = {
            "slug": slug,
            "author": str(meta.get("author", "")).strip(),
            "published": meta.get("published"),
            "order": meta.get("order", 0),
            "topics": sorted(meta.get("topics") or []),
        }
        for code in CONTENT_LANGUAGES:
            text = _read_language(folder / f"{code}.md", problems)
            for field in ("title", "summary", "body"):
                article[f"{field}_{code}"] = text.get(field, "")
        articles.append(article)
    if problems:
        raise LoadError(directory, problems)
    return articles


def _fingerprint(fields: dict) -> str:
    """A short digest of a guide's loadable fields, to tell later whether anyone changed them."""
    data = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _current_fields(article: Article) -> dict:
    fields = {
        name: getattr(article, name) for name in ("slug", "author", "published", "order", "status")
    }
    for code in CONTENT_LANGUAGES:
        for field in ("title", "summary", "body"):
            fields[f"{field}_{code}"] = getattr(article, f"{field}_{code}")
    fields["topics"] = sorted(article.topics.values_list("slug", flat=True))
    return fields


def _write(article: Article, fields: dict, topics: dict):
    for name, value in fields.items():
        if name != "topics":
            setattr(article, name, value)
    article.source_fingerprint = _fingerprint(fields)
    article.save()
    article.topics.set([topics[slug] for slug in fields["topics"]])


def _check_slugs(found: list[dict], directory: Path):
    """A guide written in the admin keeps its address: a folder may not take it over."""
    written_here = set(
        Article.objects.filter(slug__in=[a["slug"] for a in found])
        .exclude(source_key__startswith=f"{SOURCE}:")
        .values_list("slug", flat=True)
    )
    if written_here:
        raise LoadError(
            directory,
            [
                f"{directory / slug}: slug: a guide written in the admin uses it"
                for slug in sorted(written_here)
            ],
        )


@transaction.atomic
def load_articles(directory: Path | None = None) -> dict:
    """Create or update one Article per folder; returns counts of what happened and the slugs of
    guides left as a moderator edited them."""
    directory = Path(directory or ARTICLES_DIR)
    found = read_articles(directory)
    _check_slugs(found, directory)
    topics = {t.slug: t for t in Topic.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": []}
    for loaded in found:
        key = f"{SOURCE}:{loaded['slug']}"
        fields = {**loaded, "status": Article.Status.PUBLISHED.value}
        article = Article.objects.filter(source_key=key).first()
        if article is None:
            _write(Article(source_key=key), fields, topics)
            counts["created"] += 1
        elif _fingerprint(_current_fields(article)) != article.source_fingerprint:
            # Someone changed it in the admin after it was loaded: their version wins.
            counts["kept"].append(loaded["slug"])
        elif _fingerprint(fields) != article.source_fingerprint:
            _write(article, fields, topics)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts
