"""The guides: a list per language, one page per guide, and a preview for our team."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from .models import Article


def articles(request):
    guides = Article.objects.published()
    return render(request, "articles/list.html", {"articles": guides})


def _render_article(request, article, preview=False):
    ctx = {"article": article, "topics": list(article.topics.all()), "preview": preview}
    return render(request, "articles/article.html", ctx)


def article(request, slug):
    """A published guide; a draft or an unknown slug is the site's (translated) 404."""
    return _render_article(request, get_object_or_404(Article.objects.published(), slug=slug))


def can_preview(user) -> bool:
    """Our team may see a guide before it is published: staff who may read guides in the
    admin (superusers included)."""
    return user.is_staff and user.has_perm("articles.view_article")


@never_cache
@login_required
def preview(request, slug):
    """Any guide, draft or not, as the public page will show it; anyone else gets a plain 404."""
    if not can_preview(request.user):
        raise Http404
    return _render_article(request, get_object_or_404(Article, slug=slug), preview=True)
