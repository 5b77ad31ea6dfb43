"""The guided finder: a few gentle questions, one per page, as plain GET forms (no JavaScript),
ending on results that say in a line why each one fits."""

from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from healingtogether.directory.models import Group, Language, Topic
from healingtogether.directory.people import crisis_lines, network_blocks
from healingtogether.lib.i18n import current_language
from healingtogether.lib.text import tidy, whole_number

from . import engine
from .views import _networks_for

STEPS = ("who", "topics", "meet", "language", "preferences")
WHO = {
    "me": (gettext_lazy("Me"), []),
    "close": (gettext_lazy("Someone close to me"), ["relatives"]),
    "young": (gettext_lazy("A child or a teenager"), ["children", "adolescents"]),
}
MEET = {
    "near": gettext_lazy("Near where I live"),
    "online": gettext_lazy("Online"),
    "either": gettext_lazy("Either is fine"),
}
LED_BY = {
    "any": gettext_lazy("Either is fine"),
    "professional": gettext_lazy("A professional"),
    "peer": gettext_lazy("People who lived the same thing"),
}
SESSION_LANGUAGES = ("fr", "nl", "de", "en", "lsfb", "vgt")
# Answers that say a person may be in danger: their results open with the lines to call.
CRISIS_TOPICS = {"suicidal_thoughts", "crisis"}


def _answers(get) -> dict:
    """What the person chose so far, kept only when it is one of the offered answers."""
    topics = set(Topic.objects.values_list("slug", flat=True))
    answers = {
        "who": get.get("who") if get.get("who") in WHO else "",
        "topic": [t for t in get.getlist("topic") if t in topics],
        "unsure": get.get("unsure") == "1",
        "meet": get.get("meet") if get.get("meet") in MEET else "",
        "postcode": tidy(get.get("postcode", ""), 100),
        "language": get.get("language") if get.get("language") in SESSION_LANGUAGES else "",
        "free": get.get("free") == "1",
        "led_by": get.get("led_by") if get.get("led_by") in LED_BY else "any",
    }
    return answers


def _search_params(answers) -> dict:
    data = {"page_size": 20, "audience": list(WHO.get(answers["who"], ("", []))[1])}
    if answers["topic"] and not answers["unsure"]:
        data["topic"] = answers["topic"]
    if answers["meet"] in ("near", "either") and answers["postcode"]:
        data["near"] = answers["postcode"]
        data["radius_km"] = 25
    if answers["meet"] == "online":
        data["format"] = ["online"]
    if answers["language"]:
        data["language"] = [answers["language"]]
    if answers["free"]:
        data["cost"] = ["free", "donation"]
    if answers["led_by"] in ("professional", "peer"):
        data["facilitation"] = [answers["led_by"], "co_facilitated"]
    return data


def _why(group, answers, distance) -> str:
    """One line saying why this group fits what the person asked for."""
    reasons = []
    topics = {t.slug: t.label for t in group.topics.all()}
    chosen = [topics[t] for t in answers["topic"] if t in topics]
    if chosen:
        reasons.append(_("Helps with %(topics)s") % {"topics": ", ".join(chosen)})
    if distance is not None:
        reasons.append(_("%(km)s km from you") % {"km": distance})
    elif group.format == Group.Format.ONLINE:
        reasons.append(_("Meets online"))
    languages = {lang.slug: lang.label for lang in group.session_languages.all()}
    if answers["language"] in languages:
        reasons.append(_("Sessions in %(language)s") % {"language": languages[answers["language"]]})
    if answers["free"] and group.cost in (Group.Cost.FREE, Group.Cost.DONATION):
        reasons.append(str(group.get_cost_display()))
    if answers["led_by"] != "any" and group.facilitation:
        reasons.append(str(group.get_facilitation_display()))
    if answers["who"] in ("close", "young"):
        audiences = [a.label for a in group.audiences.all()]
        if audiences:
            reasons.append(_("For: %(audiences)s") % {"audiences": ", ".join(audiences)})
    return " · ".join(reasons) or _("Matches what you told us")


def _hidden(answers, keep_out: str) -> list[tuple[str, str]]:
    """The answers as hidden fields, except those of the question on screen."""
    fields = {
        "who": ["who"],
        "topics": ["topic", "unsure"],
        "meet": ["meet", "postcode"],
        "language": ["language"],
        "preferences": ["free", "led_by"],
    }[keep_out]
    pairs = []
    for key, value in answers.items():
        if key in fields or value in ("", False, []):
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, "1" if item is True else item))
    return pairs


def finder(request):
    answers = _answers(request.GET)
    step = max(0, min(len(STEPS), whole_number(request.GET.get("step", "0")) or 0))
    errors = {}
    meet_step = STEPS.index("meet")
    if step > meet_step and answers["meet"] == "near" and not answers["postcode"]:
        # "Near where I live" needs a place: ask again, saying why.
        errors["postcode"] = _("Please give your postcode or municipality.")
        step = meet_step

    if step == len(STEPS):
        try:
            results = engine.run(engine.parse(_search_params(answers)))
        except engine.SearchError as error:
            errors = error.errors
            step = meet_step
        else:
            # The reasons name the audiences, which the search itself does not fetch.
            prefetch_related_objects([*results.groups, *(results.online or [])], "audiences")
            adult, youth = _networks_for(results.place)
            in_danger = bool(CRISIS_TOPICS & set(answers["topic"]))
            ctx = {
                "answers": answers,
                "call_box": crisis_lines(current_language()) if in_danger else None,
                "results": results,
                "fits": [
                    (g, _why(g, answers, results.distances.get(g.pk))) for g in results.groups
                ],
                "online_fits": [(g, _why(g, answers, None)) for g in results.online or []],
                # A child or a teenager sees youth networks first; everyone else adult ones.
                "network_blocks": network_blocks(adult, youth, young=answers["who"] == "young")
                if results.place
                else None,
                "back": _hidden(answers, "preferences") + [("step", str(len(STEPS) - 1))],
            }
            return render(request, "search/finder_results.html", ctx)

    ctx = {
        "answers": answers,
        "step": STEPS[step],
        "step_number": step + 1,
        "step_count": len(STEPS),
        "next_step": step + 1,
        "previous_step": step - 1 if step > 0 else None,
        "hidden": _hidden(answers, STEPS[step]),
        "errors": errors,
        # WHO holds (label, audiences): the question shows the labels only.
        "who_choices": [(value, label) for value, (label, _audiences) in WHO.items()],
        "topics": Topic.objects.filter(parent=None).order_by("slug"),
        "meet_choices": list(MEET.items()),
        "languages": Language.objects.filter(slug__in=SESSION_LANGUAGES).order_by("slug"),
        "led_by_choices": list(LED_BY.items()),
    }
    return render(request, "search/finder.html", ctx)
