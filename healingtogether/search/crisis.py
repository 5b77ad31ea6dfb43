"""Does a query say that a person is in danger right now? Then the crisis lines come first.

Two checks, either is enough: a list of phrases per language that people in crisis use (matched
on the folded query: lowercase, without accents, so "je veux mourrir" and "JE VEUX MOURIR" are
the same), which works even without the model; and the model's similarity between the query and
crisis phrasings written in our four languages, which catches the words a list does not hold.
It errs on the side of showing the lines: a false alarm shows a few phone numbers, a miss can
leave someone alone.

Nothing about the query is stored or logged here: the answer is one boolean.
"""

import re

import numpy as np

from healingtogether.lib.text import fold

from . import meaning

# Folded regular expressions, matched anywhere in the folded query between word boundaries.
# First-person intent, self-harm and immediate danger; not topics ("suicide bereavement",
# "prevention du suicide"), which are searches for groups.
PHRASES = {
    "fr": [
        r"(je )?(veux|voudrais|vais|aimerais|prefere|prefererais|pense a|envie de|envi de) "
        r"(mourir|mourrir|mourire|crever|disparaitre|en finir)",
        r"(me|m) (suicider|suisider|tuer|pendre|jeter|foutre en l air|ouvrir les veines)",
        r"en finir avec (la|ma) vie",
        r"mettre fin a (mes|ma) (jours|vie)",
        r"plus (envie|envi|la force) de vivre",
        r"(je )?(ne )?veux plus vivre",
        r"pas envie de vivre",
        r"idees? (noires|suicidaires)",
        r"pensees? suicidaires",
        r"je suis suicidaire",
        r"(je me|me) (scarifie|scarifier|mutile|coupe les (bras|poignets|veines)|fais du mal)",
        r"(avale|pris) (trop de|tous mes|toute la boite de) (medicaments|cachets|pilules)",
        r"sauter (du|d un|par la) (pont|fenetre|toit|immeuble)",
        r"(va|veut|menace de) me tuer",
        r"je suis en danger",
        r"tentative de suicide",
        r"(mieux|mieu) sans moi",
        r"(je )?(ne )?(sers|sert) a rien.* (mourir|disparaitre)",
    ],
    "nl": [
        r"(ik )?wil (dood|sterven|er niet meer zijn|niet meer leven|er een eind aan maken|"
        r"er een einde aan maken|er uit stappen|eruit stappen|verdwijnen)",
        r"(zin|zien) om dood te gaan",
        r"niet meer (willen )?leven",
        r"geen zin meer (om|in) (te leven|leven)",
        r"(mezelf|me) (van kant maken|doden|iets aandoen|ophangen|snijden|verwonden)",
        r"zelfmoord (plegen|doen)",
        r"(ik )?denk (aan|over) zelfmoord",
        r"zelfmoordgedachten|zelfmoord gedachten|suicidale gedachten|doodsgedachten",
        r"ik ben suicidaal",
        r"er een eind(e)? aan maken",
        r"(ik )?snij (mezelf|mijn armen|in mijn armen)",
        r"(pillen|medicijnen|tabletten) (genomen|ingenomen|geslikt)",
        r"voor de trein (springen|gaan liggen)",
        r"van (een|de) brug (springen|af springen)",
        r"(wil|gaat|zal) (mij|me) (doden|vermoorden|afmaken)",
        r"(dreigt|dreigde) (mij|me) te (doden|vermoorden)",
        r"ik ben in gevaar",
        r"zelfmoordpoging",
        r"beter af zonder mij",
    ],
    "en": [
        r"(i )?(want|wanna|going|plan|planning|need) (to )?(die|end it|end it all|end my life|"
        r"kill myself|disappear forever|be dead)",
        r"kill (myself|my self|meself)",
        r"end (it all|my life)",
        r"take my (own )?life",
        r"(don ?t|do not|dont) want to (live|be alive|wake up)",
        r"no (reason|point) (to|in) (live|living|going on)",
        r"suicidal|suicide attempt|attempted suicide",
        r"(thinking|think) (about|of) (suicide|killing myself|ending it)",
        r"better off dead|better off without me",
        r"(hurt|harm|cut|cutting|burn|burning) (myself|my self|my arms|my wrists)",
        r"self ?harm(ing)?",
        r"overdos(e|ed|ing)",
        r"took (all|too many|a lot of) (my )?(pills|tablets|meds)",
        r"jump (off|from) (a|the) (bridge|roof|building)",
        r"(going to|gonna|wants to|threatens to|threatened to) kill me",
        r"i am in danger|i m in danger|im in danger",
        r"can ?t (go on|take it anymore|do this anymore) .*(die|dead|end)",
    ],
    "de": [
        r"(ich )?(will|mochte|moechte|werde|wunsche mir) (sterben|tot sein|nicht mehr leben|"
        r"nicht mehr da sein|mich umbringen|mich toten|mir das leben nehmen|schluss machen)",
        r"(mich|mir) (umbringen|umzubringen|toten|das leben nehmen|etwas antun|was antun|"
        r"aufhangen|ritzen|schneiden|verletzen)",
        r"nicht mehr leben (wollen|will|mochte)",
        r"keine lust mehr (zu leben|auf (das|mein) leben)",
        r"(selbstmord|suizid) (begehen|machen)",
        r"(selbstmordgedanken|suizidgedanken|suizidal|lebensmude|lebensmuede)",
        r"(ich )?denke (an|uber) (selbstmord|suizid)",
        r"(ich )?ritze mich|ritzen",
        r"selbstverletzung|selbst verletzen",
        r"(tabletten|pillen|medikamente) (genommen|geschluckt)",
        r"(von der|von einer) brucke springen|vor den zug",
        r"(will|wird|droht) mich (toten|umbringen)",
        r"ich bin in gefahr",
        r"suizidversuch|selbstmordversuch",
        r"besser (dran )?ohne mich",
    ],
}
_PATTERN = re.compile(
    "|".join(rf"(?:\b(?:{p})\b)" for phrases in PHRASES.values() for p in phrases)
)

# Crisis phrasings the model compares a query with (queries of the same kind as the person's,
# not the evaluation's phrasings: those test it).
EXAMPLES = [
    "je veux mourir",
    "je n'ai plus envie de vivre",
    "je pense à me suicider",
    "je veux en finir avec ma vie",
    "je me fais du mal",
    "je me scarifie",
    "j'ai avalé des médicaments pour mourir",
    "il va me tuer",
    "ik wil dood",
    "ik wil er niet meer zijn",
    "ik denk aan zelfmoord",
    "ik wil een einde aan mijn leven maken",
    "ik snij mezelf",
    "ik heb te veel pillen genomen",
    "hij gaat me vermoorden",
    "I want to die",
    "I want to end it",
    "I am going to kill myself",
    "I don't want to be alive anymore",
    "I keep hurting myself",
    "I took too many pills",
    "he is going to kill me",
    "ich will nicht mehr leben",
    "ich will sterben",
    "ich denke daran, mich umzubringen",
    "ich ritze mich",
    "ich habe zu viele Tabletten genommen",
    "er bringt mich um",
]
# A query at least this similar to one of the examples counts as a crisis: the lowest value at
# which none of the evaluation's ordinary queries is taken for one more often than the target
# (search/evaluation/crisis.json, `manage.py evaluate_search`).
SIMILARITY = 0.93


def by_phrase(q: str) -> bool:
    return bool(_PATTERN.search(" ".join(re.findall(r"[a-z0-9]+", fold(q)))))


def similarity(vector: np.ndarray | None) -> float:
    """The highest similarity between a query's vector and the crisis examples (0 without)."""
    if vector is None:
        return 0.0
    examples = meaning.embed_list(EXAMPLES, as_query=True)
    if examples is None:
        return 0.0
    return float((examples @ vector).max())


def in_crisis(q: str, vector: np.ndarray | None = None) -> bool:
    """Whether the query says the person is in danger. `vector` is the query's embedding when
    the caller has it (None: the phrase list alone)."""
    if not q.strip():
        return False
    return by_phrase(q) or similarity(vector) >= SIMILARITY
