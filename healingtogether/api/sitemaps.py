"""For search engines: /sitemap.xml lists every public page in our four languages, each with its
alternates (hreflang), and /robots.txt points to it and keeps crawlers out of the organiser and
moderator pages.

Our URL patterns are the same in every language apart from the /<lang>/ prefix, so a page's
address in one language gives it in the others.
"""

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group, Organisation, Topic
from healingtogether.lib.emails import absolute_url
from healingtogether.lib.text import whole_number

from .http import open_data

# A sitemap file may list 50,000 addresses: 12,500 pages in four languages.
PAGES_PER_FILE = 12_500
STATIC_PAGES = [
    "directory:home",
    "search:search",
    "search:finder",
    "search:topics",
    "directory:networks",
    "directory:helplines",
    "articles:list",
    "directory:about",
]


@dataclass
class Page:
    path: str  # in English: /en/...
    lastmod: date | None = None

    def in_language(self, code: str) -> str:
        return f"/{code}/{self.path.removeprefix('/en/')}"


def _path_maker(viewname: str):
    """A function slug -> path for one view, from a single reverse()."""
    with translation.override("en"):
        pattern = reverse(viewname, args=["SLUG-PLACEHOLDER"])
    return lambda slug: pattern.replace("SLUG-PLACEHOLDER", slug)


def pages() -> list[Page]:
    """Every public page, once, in English; the same order every time."""
    with translation.override("en"):
        found = [Page(reverse(name)) for name in STATIC_PAGES]
    listed = Group.objects.listed().order_by("pk")
    group_path = _path_maker("directory:group")
    network_path = _path_maker("directory:network")
    for slug, kind, updated in listed.values_list("slug", "kind", "updated_at"):
        make = network_path if kind in Group.NETWORK_KINDS else group_path
        found.append(Page(make(slug), updated.date()))
    topic_path = _path_maker("search:topic")
    with_groups = Topic.objects.filter(groups__in=Group.objects.listed()).distinct()
    found += [
        Page(topic_path(slug)) for slug in with_groups.order_by("pk").values_list("slug", flat=True)
    ]
    organisation_path = _path_maker("directory:organisation")
    public = Organisation.objects.filter(groups__in=Group.objects.listed()).distinct()
    for slug, updated in public.order_by("pk").values_list("slug", "updated_at"):
        found.append(Page(organisation_path(slug), updated.date()))
    article_path = _path_maker("articles:article")
    for slug, updated in (
        Article.objects.published().order_by("pk").values_list("slug", "updated_at")
    ):
        found.append(Page(article_path(slug), updated.date()))
    return found


def _url_entry(page: Page, code: str) -> str:
    lines = [f"<url><loc>{escape(absolute_url(page.in_language(code)))}</loc>"]
    if page.lastmod:
        lines.append(f"<lastmod>{page.lastmod.isoformat()}</lastmod>")
    for other in settings.LANGUAGE_CODES:
        href = quoteattr(absolute_url(page.in_language(other)))
        lines.append(f'<xhtml:link rel="alternate" hreflang="{other}" href={href}/>')
    if page.path == "/en/":
        # The bare address chooses a language from the browser's settings.
        default = quoteattr(absolute_url("/"))
        lines.append(f'<xhtml:link rel="alternate" hreflang="x-default" href={default}/>')
    lines.append("</url>")
    return "".join(lines)


def _xml(body: str) -> HttpResponse:
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body, content_type="application/xml"
    )


@open_data
def sitemap(request):
    """The sitemap; past PAGES_PER_FILE pages, an index of numbered sitemap files."""
    everything = pages()
    per_file = getattr(settings, "SITEMAP_PAGES_PER_FILE", PAGES_PER_FILE)
    files = max(1, -(-len(everything) // per_file))
    number = request.GET.get("page", "")
    if not number and files > 1:
        entries = "".join(
            f"<sitemap><loc>{escape(absolute_url(f'/sitemap.xml?page={n}'))}</loc></sitemap>"
            for n in range(1, files + 1)
        )
        return _xml(
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>\n"
        )
    n = whole_number(number)
    if n is None:  # missing or not a number: the first page, as before
        n = 1
    if not 1 <= n <= files:
        return HttpResponse("No such sitemap page.\n", status=404, content_type="text/plain")
    chosen = everything[(n - 1) * per_file : n * per_file]
    entries = "\n".join(_url_entry(p, code) for p in chosen for code in settings.LANGUAGE_CODES)
    return _xml(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        f"{entries}\n</urlset>\n"
    )


def _first_segments(patterns) -> list[str]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern | URLResolver):
            first = str(pattern.pattern).split("/")[0]
            if first and "<" not in first and first not in found:
                found.append(first)
    return found


def private_prefixes() -> list[str]:
    """The first path segments of the organiser and moderator pages (account/, workspace/,
    moderation/, ...), read from the accounts URLs so a new page is covered too. A segment that
    the directory's public pages use as well (groups/, where a visitor reports a problem) stays
    open; those pages are read from the URLconf, as some of them live above the apps."""
    from healingtogether.accounts import urls as accounts

    _prefix, directory = get_resolver().namespace_dict["directory"]
    public = set(_first_segments(directory.url_patterns))
    return [s for s in _first_segments(accounts.urlpatterns) if s not in public]


@open_data
def robots(request):
    lines = ["User-agent: *", "Disallow: /admin/"]
    for code in settings.LANGUAGE_CODES:
        lines += [f"Disallow: /{code}/{segment}/" for segment in private_prefixes()]
        # Search results for every combination of filters are endless and say nothing new; a
        # topic's page is the one search to index. (The Allow comes first for parsers that
        # take the first matching rule rather than the longest.)
        lines += [f"Allow: /{code}/search/topics/", f"Disallow: /{code}/search/?"]
    lines += ["Allow: /", "", f"Sitemap: {absolute_url('/sitemap.xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
