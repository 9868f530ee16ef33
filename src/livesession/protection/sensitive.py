"""The sensitive-data guard for custom fields (P1.4, P6.2; issue 3, point 3).

P1.4: "no sensitive data (in the legal sense) is collected". P6.2: a client's extra fields
carry no sensitive or forbidden data. A custom field is a question the client writes
itself (label, help text, options), so this module reads those texts and says whether
they ask for special-category data (GDPR art. 9(1)), criminal data (art. 10) or, in
France, the social security number (NIR). The custom-field services of the Manager and
of the API call :func:`validate_field_texts` before they store a field definition; the
refusal message names the data, says why it is refused and what to ask instead.

This module is pure Python: no database, no model. Its public API:

- :class:`SensitiveMatch`: one finding (category key, the term as the client wrote it,
  the translated reason and alternative, and which input it was found in);
- :func:`find_sensitive`: the first finding in some texts, or ``None``;
- :func:`check_field`: every finding in a field definition (one per offending input,
  one per offending option);
- :func:`validate_field_texts`: the same, raised as a ``ValidationError`` keyed by input
  name (``label_fr``, ``label_en``, ``help_fr``, ``help_en``, ``options``).

How texts are matched
---------------------
1. **Normalization.** Each character is casefolded and decomposed (Unicode NFKD); accents
   and other combining marks are dropped; ``œ``, ``æ``, ``ø``… are spelled out (``oe``,
   ``ae``, ``o``); every run of non-alphanumeric characters (spaces, apostrophes (``'`` and
   U+2019), hyphens, slashes, ``°``, ``&``…) becomes one space. ``« Régime-alimentaire »``,
   ``REGIME ALIMENTAIRE`` and ``d'allergies`` read ``regime alimentaire`` and
   ``d allergies``. A map from each normalized character back to the original one gives
   :attr:`SensitiveMatch.term` as written.
2. **Masks.** Known innocent phrases are blanked before matching: the health *sector* and
   its professions (``professionnel de santé``, ``health and safety``, ``visiteur
   médical``, ``assurance maladie``), ``Union européenne``, ``credit union``, ``syndicat de
   copropriété``, ``l'ADN de votre entreprise``, ``genetic algorithms``, ``criminal law``,
   ``handicap de golf``, ``film culte``, ``régime de sécurité sociale``… When a label asks
   for a sector, profession, department or specialty (``Secteur d'activité``,
   ``Fonction``, ``Specialty``), the bare words of the health sector (``Santé``,
   ``Médical``, ``Pharma``, ``Hôpital``, ``Génétique``…) are blanked too in the help texts
   and options of that field: choosing "Santé" as one's sector says nothing about one's
   health. A mask never hides a sensitive term outside its own phrase
   (``professionnel de santé handicapé`` is refused on ``handicapé``).
3. **Lexicon.** Each entry is a regular expression over the normalized text, anchored on
   word boundaries (``\\b``), written with its plural and common variants
   (``maladies?``, ``handicap(?:e|ee|es|ees|s)?``, ``allerg(?:ie|ies|ique|iques|y|ic…)``)
   in French and English. Word boundaries keep ``race`` out of ``trace``, ``culte`` out
   of ``culture``, ``vote`` out of ``votre``. The finding is the leftmost match,
   then the longest (``Régime alimentaire`` rather than nothing, ``numéro de sécurité
   sociale`` rather than ``sécurité sociale``), then the first category in lexicon order.
   One entry is not a word list: a number shaped like a NIR (15 digits, spaces allowed,
   Corsica ``2A``/``2B``) whose control key is right (97 minus the first 13 digits
   modulo 97) is refused as ``nir``, so a sample number in a help text is caught and a
   phone number, SIRET or EAN is not.
4. **Language.** ``label_fr``/``help_fr`` and ``label_en``/``help_en`` are read with
   their language known; options and :func:`find_sensitive` with both. It matters for
   one word only: ``conviction(s)`` is a belief in French (religion) and a sentence in
   English (criminal).

Decisions on borderline words (pinned by ``tests/protection/test_sensitive.py``)
-------------------------------------------------------------------------------
- Refused alone: ``santé``/``health`` (outside the masked sector phrases), ``médical``,
  ``maladie``, ``handicap``, ``allergie`` (``Allergique au bruit`` is refused too: the
  question is rephrased, a small cost), ``religion``, ``culte``, ``syndicat``, ``race``,
  ``ethnie``, ``génétique``, ``ADN``/``DNA``, ``biométrie``, ``casier judiciaire``,
  ``condamnation``, ``infraction``, ``NIR``, ``sécurité sociale``, ``carte Vitale``.
- Passes alone, refused in a phrase: ``régime`` (``Régime fiscal`` passes, ``régime
  alimentaire`` and ``régime sans porc`` do not); ``union`` (only union membership
  phrases: ``trade union``, ``union member``, ``member of a union``); ``parti``
  (``parti politique``); ``politique`` (``Politique de confidentialité`` passes,
  ``opinion politique`` does not); ``vote`` (``Votez pour la meilleure session`` passes,
  ``intention de vote`` and ``who did you vote for`` do not); ``traitement``
  (``Traitement des données`` passes, ``traitement médical``/``en cours`` does not);
  ``enceinte`` (a venue's premises: only ``êtes-vous enceinte``, ``femme enceinte``);
  ``empreinte`` (``empreinte carbone`` passes, ``empreinte digitale`` does not);
  ``casier`` (a locker: only ``casier judiciaire``); ``INSEE`` (``code INSEE`` of a
  town passes, ``numéro INSEE`` does not); ``médecin`` (a profession: ``médecin
  traitant`` and ``votre médecin`` are refused); ``covid`` (``statut covid``, ``test
  covid``, ``pass sanitaire`` and ``vaccin…`` are refused, a help text explaining why the
  event is online is not); ``disabled`` (refused alone: write "turned off" in a help text).
- Passes: ``Genre``/``Gender``/``Sexe``/``Civilité`` and ``Non-binaire`` (gender is not
  an art. 9 category); ``Nationalité``, ``Pays d'origine``, ``Langue maternelle`` (not
  art. 9 as such; nationality is ordinary personal data); ``Date de naissance``,
  ``Âge``; ``Photo``/``Selfie`` (a photo is biometric data only when processed to
  identify someone, which this platform never does); ``Besoins d'accessibilité``,
  ``sous-titres``, ``langue des signes`` (this is what to ask *instead*); ``Besoins
  spécifiques`` (generic; its English idiom ``special needs`` means disability and is
  refused); ``Santé et sécurité au travail``, ``occupational health``, ``Ministère de la
  santé`` (a department, a profession or an employer, not data about the person);
  ``Mutuelle``/``assurance maladie`` (an insurer, not a health condition); ``Fumeur``
  (not listed: this guard aims at art. 9/10 and the NIR, not every health-adjacent habit);
  ``Passeport``, ``carte d'identité``, ``national insurance number`` (identifiers, but
  not the French NIR rule this guard enforces); ``Poids``/``Taille`` (a T-shirt size is
  the usual meaning; ``IMC``/``BMI`` is refused); ``Prière de …`` (a formal "please";
  ``salle de prière`` is refused).
- Refused on a cautious reading: ``transgenre``/``transgender`` (data revealing a gender
  transition is treated as concerning health or sex life), ``LGBT…``, ``gay``.

Known limits
------------
- It reads words, not intent: a question can ask for sensitive data in innocent words
  ("Anything we should know about you?") and pass; an innocent text can contain a listed
  word and be refused (the client rephrases). It is one layer of M-03 among others (the
  client's attestation, the warning on free-text inputs, the terms of service).
- Two languages only (French, English), and no spelling mistakes beyond accents, case,
  punctuation and the listed variants (``alergie`` passes).
- Names of parties, unions (beyond the main French confederations), churches or diseases
  are not listed one by one: the common words around them usually are.
- Participants' *answers* are not read here (a free-text answer may still hold sensitive
  data; the participant form warns against it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CATEGORIES",
    "CODE",
    "MESSAGE",
    "Category",
    "SensitiveMatch",
    "check_field",
    "find_sensitive",
    "lexicon_sizes",
    "validate_field_texts",
]

# --- categories: what is refused, why, and what to ask instead ------------------------------


@dataclass(frozen=True)
class Category:
    """One kind of refused data: its label in messages, why it is refused (naming the
    rule), and what the client can ask instead."""

    key: str
    label: str | Promise
    reason: str | Promise
    instead: str | Promise


CATEGORIES: dict[str, Category] = {
    category.key: category
    for category in (
        Category(
            "health",
            _("health data"),
            _("Data concerning health is a special category of personal data (GDPR art. 9(1)) "
              "that this platform never collects."),
            _("Ask instead about accessibility needs for the online room (captions, sign "
              "language, a transcript), without asking about any condition."),
        ),
        Category(
            "disability",
            _("a disability (health data)"),
            _("Information about a disability is data concerning health, a special category of "
              "personal data (GDPR art. 9(1)) that this platform never collects."),
            _("Ask instead which accessibility arrangements the participant wants for the "
              "online room (captions, sign language, a transcript), without asking about a "
              "disability or a condition."),
        ),
        Category(
            "diet",
            _("diet or allergies"),
            _("A diet, an allergy or a food intolerance reveals health or religious beliefs, "
              "special categories of personal data (GDPR art. 9(1)) that this platform never "
              "collects."),
            _("Ask instead whether the participant needs anything for the event; do not ask "
              "why."),
        ),
        Category(
            "religion",
            _("religious or philosophical beliefs"),
            _("Religious or philosophical beliefs are a special category of personal data (GDPR "
              "art. 9(1)) that this platform never collects."),
            _("Ask instead which dates or times the participant cannot attend; do not ask why."),
        ),
        Category(
            "politics",
            _("political opinions"),
            _("Political opinions are a special category of personal data (GDPR art. 9(1)) "
              "that this platform never collects."),
            _("Ask instead only what the event needs, such as the participant's organization "
              "or job title, never their opinions or votes."),
        ),
        Category(
            "union",
            _("trade-union membership"),
            _("Trade-union membership is a special category of personal data (GDPR art. 9(1)) "
              "that this platform never collects."),
            _("Ask instead for the participant's organization and job title; do not ask "
              "whether they belong to a union or hold a union role."),
        ),
        Category(
            "ethnicity",
            _("racial or ethnic origin"),
            _("Data revealing racial or ethnic origin is a special category of personal data "
              "(GDPR art. 9(1)) that this platform never collects."),
            _("Remove the question; if the event needs it, ask for the preferred language or "
              "the country of residence instead."),
        ),
        Category(
            "sexuality",
            _("sex life or sexual orientation"),
            _("Data concerning sex life or sexual orientation is a special category of personal "
              "data (GDPR art. 9(1)) that this platform never collects."),
            _("Remove the question; if you need a form of address, ask how the participant "
              "wishes to be addressed, as an optional field."),
        ),
        Category(
            "genetic",
            _("genetic data"),
            _("Genetic data is a special category of personal data (GDPR art. 9(1)) that this "
              "platform never collects."),
            _("Remove the question: taking part in an event never requires it."),
        ),
        Category(
            "biometric",
            _("biometric data"),
            _("Biometric data that identifies a person (fingerprint, face, iris, voice) is a "
              "special category of personal data (GDPR art. 9(1)) that this platform never "
              "collects."),
            _("Remove the question: participants are identified by their email address and the "
              "personal access link the platform sends them."),
        ),
        Category(
            "criminal",
            _("criminal convictions and offences"),
            _("Data about criminal convictions and offences may only be processed under the "
              "control of an official authority or where a law allows it (GDPR art. 10); an "
              "event registration is neither."),
            _("Remove the question; a check that a law requires for a regulated role must be "
              "done outside this platform."),
        ),
        Category(
            "nir",
            _("the French social security number (NIR)"),
            _("In France the social security number (NIR) may only be used for the purposes "
              "that the French Data Protection Act (art. 30) and its framework decree list, "
              "such as social protection, health care or taxes; an event registration is not "
              "one of them."),
            _("Remove the question: participants are identified by their email address; for "
              "invoicing, ask for the organization's SIRET or VAT number."),
        ),
    )
}

MESSAGE = _("«%(term)s» points at %(category)s: %(reason)s %(instead)s")
CODE = "sensitive_data"


@dataclass(frozen=True)
class SensitiveMatch:
    """A finding: ``category`` is a key of :data:`CATEGORIES`, ``term`` the offending text as
    the client wrote it, ``reason`` and ``instead`` lazily translated sentences (rendered in
    the language active when they are displayed), ``source`` the input it was found in
    (``label_fr``… ``options``; empty for :func:`find_sensitive`)."""

    category: str
    term: str
    reason: str | Promise
    instead: str | Promise
    source: str = ""

    @property
    def category_label(self) -> str | Promise:
        return CATEGORIES[self.category].label

    @property
    def message(self) -> str:
        """The refusal, in the active language: what the term points at, why, and what to
        ask instead."""
        return str(MESSAGE) % self._params()

    def _params(self) -> dict[str, str | Promise]:
        return {"term": self.term, "category": self.category_label,
                "reason": self.reason, "instead": self.instead}

    def error(self) -> ValidationError:
        """The refusal as a ``ValidationError`` whose text is rendered when displayed."""
        return ValidationError(MESSAGE, code=CODE, params=self._params())


def _found(category: str, term: str, source: str = "") -> SensitiveMatch:
    entry = CATEGORIES[category]
    return SensitiveMatch(category, term, entry.reason, entry.instead, source)


# --- normalization ---------------------------------------------------------------------------

_SPELLED = {"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "\u0131": "i"}


def _normalize(text: str) -> tuple[str, list[int]]:
    """Casefolded, accent-free, one space between words; and for each character of the
    result, the index of the character of ``text`` it comes from."""
    chars: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char.casefold()):
            if unicodedata.combining(part):
                continue
            for out in _SPELLED.get(part, part):
                if out.isalnum():
                    chars.append(out)
                    where.append(index)
                elif chars and chars[-1] != " ":
                    chars.append(" ")
                    where.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    return "".join(chars), where


# --- the lexicon -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    category: str
    pattern: re.Pattern[str]
    lang: str | None = None  # None: both languages
    accept: Callable[[str], bool] | None = None  # a further check on the matched text


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


def _terms(category: str, *patterns: str, lang: str | None = None) -> list[_Term]:
    return [_Term(category, _words(pattern), lang) for pattern in patterns]


def _nir_key_is_right(matched: str) -> bool:
    """A NIR: sex (1/2), year, month, department (2A/2B in Corsica), commune, order, then a
    key equal to 97 minus the first 13 digits modulo 97 (Corsica counted as 19/18)."""
    digits = matched.replace(" ", "")
    if len(digits) != 15 or digits[0] not in "12":
        return False
    department = {"2a": "19", "2b": "18"}.get(digits[5:7], digits[5:7])
    body = digits[:5] + department + digits[7:13]
    key = digits[13:]
    if not (body.isdigit() and key.isdigit()):
        return False
    return 97 - int(body) % 97 == int(key)


_NIR_NUMBER = _Term(
    "nir",
    re.compile(r"(?<![0-9])(?<![0-9] )[12](?: ?[0-9ab]){14}(?! ?[0-9])"),
    accept=_nir_key_is_right,
)

_FR, _EN = "fr", "en"

_LEXICON: tuple[_Term, ...] = (
    # health (art. 9: data concerning health)
    *_terms(
        "health",
        r"sante", r"health",
        r"maladies?", r"malades?",
        r"medica(?:l|le|les|ux)", r"medicaments?", r"medications?",
        r"traitements? (?:en cours|medicamenteux|de fond)", r"(?:ongoing|current) treatments?",
        r"undergoing treatment",
        r"pathologies?", r"symptomes?", r"symptoms?", r"diagnos(?:is|es|ed)",
        r"diagnostique(?:e|es|s)?",
        r"illness(?:es)?", r"diseases?", r"sickness(?:es)?", r"sick (?:leave|notes?)",
        r"arrets? de travail",
        r"grossesses?", r"pregnan(?:t|cy|cies)", r"femmes? enceintes?",
        r"(?:etes vous|es tu|si vous etes|vous etes) enceinte", r"enceinte de [0-9]+",
        r"conges? (?:de )?maternite", r"maternity leave",
        r"psychiatri(?:e|que|ques|c|st|sts|y)", r"depression",
        r"troubles? (?:psychiques?|psychologiques?|mentaux|anxieux|alimentaires?|du comportement)",
        r"(?:mental|psychological|psychiatric|anxiety|eating) disorders?",
        r"vih", r"hiv", r"sida", r"seropositi(?:f|fs|ve|ves|vite|vity)",
        r"hepatites?", r"hepatitis", r"cancers?", r"diabetes?", r"diabeti(?:c|cs|que|ques)",
        r"asthm(?:e|a|atique|atiques|atic)", r"epilep(?:sie|sy|tique|tiques|tic)",
        r"vaccin(?:s|e|ee|es|ees|ation|ations|al|ale)?", r"vaccines", r"vaccinated",
        r"passe? (?:sanitaire|vaccinal)",
        r"(?:test|tests|depistage) (?:pcr|covid|antigeniques?)", r"(?:pcr|covid) tests?",
        r"(?:statut|status) covid", r"covid (?:status|statut)",
        r"groupes? sanguins?", r"blood (?:type|group)s?", r"rhesus",
        r"bmi", r"imc", r"indice de masse corporelle", r"body mass index",
        r"medecin traitant", r"(?:votre|ton|your) (?:medecin|docteur|doctor|physician|gp)",
        r"hospitali[sz](?:e|ee|es|ees|ation|ations|ed)",
        r"chronic (?:conditions?|pain)", r"antecedents? familiaux",
    ),
    # disability (data concerning health)
    *_terms(
        "disability",
        r"handicap(?:e|ee|es|ees|s)?", r"handicapant(?:e|es|s)?",
        r"invalidit(?:e|es)", r"disabilit(?:y|ies)", r"disabled",
        r"impairments?",
        r"(?:visually|hearing|sight|mobility|cognitively|physically|intellectually) impaired",
        r"deaf(?:ness)?", r"hard of hearing", r"sourd(?:e|es|s)?", r"surdite",
        r"malentendant(?:e|es|s)?", r"malvoyant(?:e|es|s)?", r"non voyant(?:e|es|s)?",
        r"aveugles?", r"cecite", r"blindness", r"partially sighted",
        r"wheelchairs?", r"fauteuils? roulants?", r"mobilite reduite", r"reduced mobility",
        r"pmr", r"rqth", r"mdph", r"aah",
        r"autis(?:me|te|tes|m|tic)", r"dyslexi(?:e|que|ques|a|c)", r"dyspraxi(?:e|que|ques|a|c)",
        r"tdah", r"adhd", r"troubles? dys",
        r"neuroatypi(?:e|que|ques|cal)", r"neurodiver(?:gent|gents|gente|gentes|sity|site)",
        r"special (?:educational )?needs", r"besoins educatifs particuliers",
        r"infirmit(?:e|es)", r"paralys(?:ie|ies|e|ee|es|ees|is|ed)",
        r"amput(?:e|ee|es|ees|ation|ations)",
        r"protheses? auditives?", r"appareils? auditifs?", r"hearing aids?",
    ),
    # diet and allergies (reveal health or religion)
    *_terms(
        "diet",
        r"allerg(?:ie|ies|ique|iques|y|ic|en|ens|ene|enes)",
        r"intoleran(?:ce|ces|t|te|ts|tes)", r"gluten", r"lactose",
        r"c(?:o|oe)?eliaques?", r"c(?:o|oe)?eliac",
        r"regimes? alimentaires?", r"regimes? sans [a-z]+",
        r"(?:restrictions?|contraintes?|preferences?|habitudes?|besoins?|exigences?) "
        r"alimentaires?",
        r"diet(?:s|ary)?", r"dietes?",
        r"food (?:restrictions?|preferences?|requirements?|needs)",
        r"vegetarien(?:ne|nes|s)?", r"vegetarian(?:s|ism)?", r"vegetalien(?:ne|nes|s)?",
        r"vegan(?:e|es|s|isme|ism)?", r"flexitarien(?:ne|nes|s)?", r"flexitarians?",
        r"pesc(?:e|a)tari(?:en|enne|ens|ennes|an|ans)",
        r"halal", r"casher", r"cacher", r"kasher", r"kascher", r"kosher",
        r"sans (?:porc|viande)", r"(?:no|without) (?:pork|meat)", r"(?:pork|meat) free",
    ),
    # religious or philosophical beliefs
    *_terms(
        "religion",
        r"religions?", r"religieu(?:x|se|ses)", r"religious",
        r"confessions?", r"confessionnel(?:le|les|s)?", r"cultes?",
        r"croyances?", r"(?:philosophical|spiritual) beliefs?",
        r"convictions? (?:philosophiques?|spirituelles?)",
        r"faiths?", r"spiritualit(?:e|y)",
        r"eglises?", r"church(?:es)?", r"mosquees?", r"mosques?", r"synagogues?",
        r"paroisses?", r"parish(?:es)?",
        r"chretien(?:ne|nes|s)?", r"christian(?:s|ity)?", r"christianisme",
        r"catholi(?:que|ques|c|cs|cism|cisme)", r"protestant(?:e|es|s|isme|ism)?",
        r"musulman(?:e|es|s)?", r"muslims?", r"islam(?:ique|iques|ic)?",
        r"juif(?:s)?", r"juives?", r"jewish", r"juda(?:isme|ism)",
        r"bouddhis(?:te|tes|me)", r"buddhis(?:t|ts|m)", r"hindou(?:e|es|s|isme)?",
        r"hindu(?:s|ism)?", r"sikh(?:s|isme|ism)?", r"athe(?:e|es|isme)", r"atheis(?:t|ts|m)",
        r"agnosti(?:que|ques|c|cs|cisme|cism)", r"evangeli(?:que|ques|cal|cals)",
        r"temoins? de jehovah", r"jehovah", r"mormon(?:e|es|s)?", r"scientolog(?:ie|y)",
        r"ramadan", r"careme", r"shabbat", r"sabbath", r"kippour", r"yom kippur",
        r"prieres?(?! de | d )", r"prayers?",  # "Prière de remplir…" is a formal "please"
    ),
    *_terms("religion", r"convictions?", lang=_FR),
    # political opinions
    *_terms(
        "politics",
        r"(?:opinions?|partis?|appartenances?|affiliations?|engagements?|sensibilites?|"
        r"orientations?|convictions?|preferences?|tendances?|couleurs?|positions?|"
        r"positionnements?|adhesions?|idees|ideologies?|activites?|activisme|militantisme|"
        r"militant(?:e|es|s)?|bords?) politiques?",
        r"political (?:views?|opinions?|affiliations?|part(?:y|ies)|leanings?|orientations?|"
        r"beliefs?|preferences?|persuasions?|memberships?|engagement|activism|activit(?:y|ies)|"
        r"sympath(?:y|ies)|commitments?|stances?|positions?|ideolog(?:y|ies)|allegiances?)",
        r"politically (?:active|engaged|affiliated)",
        r"(?:adherent|adherente|adherents|adherentes|membre|membres|militant|militante|"
        r"militants|militantes|sympathisant|sympathisante|sympathisants|sympathisantes|"
        r"encarte|encartee|encartes|encartees) (?:a |d |de )?(?:un |une |au |du )?partis?",
        r"intentions? de vote", r"voting intentions?",
        r"(?:pour qui|qui) (?:votez vous|avez vous vote|allez vous voter|voterez vous)",
        r"who (?:did|do|will|would) you vote for", r"who you (?:voted|vote) for",
        r"votes? (?:politiques?|aux elections|electora(?:l|ux))",
        r"electoral (?:choices?|preferences?|votes?)",
        r"(?:de )?gauche ou (?:de )?droite", r"extreme (?:gauche|droite)",
        r"(?:left|right) wing", r"far (?:left|right)",
    ),
    # trade-union membership
    *_terms(
        "union",
        r"syndicats?", r"syndique(?:e|es|s)?",
        r"syndica(?:l|le|les|ux|lisme|liste|listes)", r"intersyndica(?:l|le|les|ux)",
        r"cgt", r"cfdt", r"cftc", r"cfe cgc", r"unsa", r"force ouvriere",
        r"trade unions?", r"trade unionists?", r"labou?r unions?",
        r"unions? (?:members?|membership|memberships|affiliations?|dues|representatives?|"
        r"reps?|activit(?:y|ies)|cards?)",
        r"unioni[sz]ed", r"members? of (?:a |an |the |any )?(?:trade |labou?r )?unions?",
        r"(?:belong|belongs|belonging) to (?:a |an |any )?(?:trade |labou?r )?unions?",
        r"shop stewards?",
    ),
    # racial or ethnic origin
    *_terms(
        "ethnicity",
        r"ethni(?:e|es|que|ques|cite|cites|city|cities|c|cs)", r"races?",
        r"racia(?:l|le|les|ux|lly)", r"couleurs? de (?:la )?peau", r"skin (?:colou?r|tone)s?",
        r"minorites? visibles?", r"visible minorit(?:y|ies)", r"(?:people|persons?) of colou?r",
        r"bame", r"castes?",
    ),
    # sex life or sexual orientation
    *_terms(
        "sexuality",
        r"orientations? sexuelles?", r"sexual orientations?", r"vies? sexuelles?",
        r"sex li(?:fe|ves)", r"sexual li(?:fe|ves)", r"sexualit(?:e|es|y|ies)",
        r"(?:preferences?|pratiques?|activites?|partenaires?|habitudes?|identites?) "
        r"sexuel(?:le|les|s)?",
        r"sexual (?:preferences?|practices?|activit(?:y|ies)|partners?|behaviou?rs?|habits?|"
        r"identit(?:y|ies)|history|health)",
        r"lgbt[a-z]*", r"homosexu[a-z]*", r"heterosexu[a-z]*", r"bisexu[a-z]*",
        r"pansexu[a-z]*", r"asexu(?:el|elle|els|elles|al|als|ality|alite)",
        r"gays?", r"lesbien(?:ne|nes)?", r"lesbians?", r"queers?",
        r"transgen(?:re|res|der|ders|derism)", r"transsexu[a-z]*", r"transidentit[a-z]*",
        r"intersexe?s?",
        r"(?:personnes?|partenaires?|conjoint(?:e|es|s)?|couples?) (?:du|de) meme sexe",
        r"same sex (?:partners?|couples?|spouses?|relationships?|marriages?)",
    ),
    # genetic data
    *_terms(
        "genetic",
        r"genetiques?", r"genetics?", r"adn", r"dna", r"genomes?",
        r"genomi(?:que|ques|c|cs)", r"genotyp(?:e|es|age|ing)",
    ),
    # biometric data
    *_terms(
        "biometric",
        r"biometri(?:e|es|que|ques|c|cs|y)",
        r"empreintes? (?:digitales?|palmaires?|vocales?|retiniennes?|de la main|de l iris)",
        r"fingerprints?", r"thumbprints?", r"palm ?prints?", r"voice ?prints?", r"faceprints?",
        r"reconnaissance (?:faciale|du visage|de l iris|de la voix)",
        r"(?:face|facial) recognition", r"iris (?:scans?|recognition)",
        r"(?:scans?|lecture) (?:de l |of the )?iris", r"retina(?:l)? scans?",
        r"scans? retiniens?", r"face id", r"touch id", r"(?:facial|face|hand) geometry",
        r"geometrie (?:du visage|de la main)",
    ),
    # criminal convictions and offences (art. 10)
    *_terms(
        "criminal",
        r"casiers? judiciaires?", r"extraits? de casier", r"bulletin n(?:o)? ?3",
        r"condamnations?", r"condamne(?:e|es|s)?",
        r"antecedents? (?:judiciaires?|penaux|criminels)",
        r"criminal", r"criminel(?:le|les|s)?", r"crimes?", r"delits?", r"infractions?",
        r"offen[cs]es?", r"convicted", r"felon(?:y|ies|s)?", r"misdemeanou?rs?",
        r"garde a vue", r"incarcer[a-z]*", r"emprisonn[a-z]*", r"imprison[a-z]*",
        r"(?:en|in) prison", r"prison (?:sentences?|records?|terms?)", r"jail(?:ed|s)?",
        r"poursuites? (?:judiciaires?|penales?)", r"mise? en examen", r"background checks?",
        r"sex offenders?", r"points? (?:de|du|sur (?:votre|le)) permis", r"penalty points",
        r"proces penal",
    ),
    *_terms("criminal", r"convictions?", lang=_EN),
    # the French social security number
    *_terms(
        "nir",
        r"nir", r"(?:numeros?|num|n|no|nr) (?:d )?insee", r"securite sociale", r"secu sociale",
        r"(?:numeros?|num|n|no|nr) (?:de |d )?(?:la )?secu(?:rite sociale)?",
        r"cartes? vitales?", r"(?:numeros?|num|n|no|nr) (?:d )?assure(?: social)?",
        r"assures? sociaux", r"assure social", r"social security", r"ssn",
    ),
    _NIR_NUMBER,
)

# Innocent phrases blanked before matching (see the module docstring).
_MASKS: tuple[re.Pattern[str], ...] = tuple(_words(p) for p in (
    # the health sector, its professions and institutions
    r"sante (?:et )?securite(?: au travail)?", r"securite (?:et )?sante(?: au travail)?",
    r"sante au travail", r"sante publique", r"sante numerique", r"e sante",
    r"sante environnement(?:ale)?",
    r"(?:ministeres?|agences? regionales?|haute autorite|secteurs?|domaines?|filieres?|"
    r"industries?|systemes?|economie|acteurs?|professionnels?|professions?|etablissements?|"
    r"metiers?|centres?|maisons?|reseaux?|assurances?|mutuelles?|complementaires?|"
    r"politiques?|droit|education|promotion|prevention) (?:de |des |du |d )?(?:la |l )?sante",
    r"(?:health|healthcare|health care) (?:sectors?|industry|industries|professionals?|"
    r"providers?|systems?|organi[sz]ations?|compan(?:y|ies)|insurance|insurers?|polic(?:y|ies)|"
    r"economics|tech|technology|technologies|workers?|practitioners?|law|authorit(?:y|ies)|"
    r"agenc(?:y|ies)|services)",
    r"(?:ministry|minister|department|dept|secretary|secretariat) (?:of )?(?:public )?health",
    r"(?:public|occupational|digital|global|environmental|workplace) health",
    r"health (?:and )?safety", r"e health",
    r"affaires? medicales?",
    r"medical (?:affairs|devices?|sales|science liaisons?|writ(?:er|ers|ing)|directors?|"
    r"representatives?|reps?|officers?|technolog(?:y|ies)|imaging|equipment|supplies|"
    r"schools?|students?|research|journals?)",
    r"(?:visiteur|visiteuse|delegue|deleguee|representant|representante|secretaire|directeur|"
    r"directrice|conseiller|conseillere|responsable|charge|chargee|assistant|assistante)s? "
    r"medica(?:l|le|ux|les)",
    r"dispositifs? medica(?:l|ux)",
    r"(?:cabinets?|centres?|laboratoires?|imagerie|materiels?|equipements?|information|"
    r"informatique|etudes|recherche|universites?|faculte|ecoles?|presse|journal) "
    r"medica(?:l|le|ux|les)",
    r"assurance maladie", r"caisses? (?:primaires? )?d assurance maladie",
    r"specialites? medicales?", r"medical specialt(?:y|ies)", r"medical specialit(?:y|ies)",
    # disability
    r"handicap (?:de |au )?golf", r"golf handicaps?",
    # sexuality
    r"gay lussac",
    # religion
    r"(?:films?|series?|livres?|jeux|jeu|marques?|objets?|albums?|emissions?) cultes?",
    r"(?:good|bad) faith",
    # union
    r"european unions?", r"union europeenne", r"credit unions?", r"student unions?",
    r"union jack", r"(?:african|soviet|postal|customs|monetary|banking|economic) unions?",
    r"union (?:africaine|douaniere|monetaire|bancaire)",
    r"syndicats? (?:de copropriete|de coproprietaires|intercommuna(?:l|ux)|mixtes?|des eaux|"
    r"d initiative|patrona(?:l|ux)|d energie|d electricite|des transports|de transports?)",
    r"droit syndical", r"(?:relations?|dialogue) (?:sociales? et )?syndica(?:l|le|les|ux)",
    # genetic
    r"(?:company|brand|corporate|organi[sz]ation|team|startup|product)s? dna",
    r"dna of (?:the |your |our |a )?(?:company|brand|organi[sz]ation|team|startup|product|"
    r"project)s?",
    r"adn (?:de |d |du |des )?(?:l |la |le |votre |notre |vos |nos |ton |son |leur )?"
    r"(?:entreprise|societe|marque|organisation|structure|equipe|projet|produit|start ?up|"
    r"collectif|association|groupe|ecole)s?",
    r"genetic (?:algorithms?|programming)", r"algorithmes? genetiques?",
    # criminal
    r"criminal (?:law|lawyers?|justice)", r"droit (?:penal|criminel)",
    # NIR
    r"nir spectroscop[a-z]*",
    r"(?:spectroscopie|spectroscopy|spectrometrie|cameras?|capteurs?|sensors?) nir",
    r"(?:organismes?|caisses?|regimes?|droit|code|financement|plafond|cotisations?) "
    r"(?:de |d )?(?:la )?securite sociale",
    r"social security (?:administration|agency|contributions?|law)",
))

# A label asking for a sector, a profession, a department or a specialty...
_PROFESSIONAL_LABEL = _words(
    r"secteurs?", r"sectors?", r"industr(?:y|ies|ie)", r"domaines?", r"activites?",
    r"branches?", r"filieres?", r"marches?", r"markets?", r"verticals?", r"professions?",
    r"metiers?", r"fonctions?", r"jobs?", r"occupations?", r"postes?", r"roles?",
    r"specialites?", r"specialt(?:y|ies)", r"specialit(?:y|ies)", r"disciplines?",
    r"services?", r"departements?", r"departments?", r"expertises?", r"fields?",
    r"type d (?:organisation|etablissement|structure|entreprise|employeur)",
    r"(?:organi[sz]ation|company|business|employer) types?",
    r"type of (?:organi[sz]ation|company|business|employer)",
)
# ... makes these bare words names of a sector, not data about the person.
_PROFESSIONAL_MASK = _words(
    r"sante", r"health", r"healthcare", r"health care", r"medica(?:l|le|les|ux)",
    r"medico social(?:e|es|aux)?", r"paramedica(?:l|le|les|ux)", r"medecine", r"medicine",
    r"pharma", r"pharmaceutiques?", r"pharmaceuticals?", r"pharmacie", r"hopital", r"hopitaux",
    r"hospitals?", r"hospitalier(?:e|es|s)?", r"handicap", r"genetiques?", r"genetics",
    r"genomiques?", r"genomics", r"biometrie", r"biometrics", r"psychiatrie", r"psychiatry",
)


def lexicon_sizes() -> dict[str, int]:
    """How many lexicon entries (each with its variants) each category has."""
    sizes = dict.fromkeys(CATEGORIES, 0)
    for term in _LEXICON:
        sizes[term.category] += 1
    return sizes


# --- matching --------------------------------------------------------------------------------


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _scan(text: str, *, lang: str | None = None, professional: bool = False,
          source: str = "") -> SensitiveMatch | None:
    """The leftmost, then longest, then first-listed finding in ``text``."""
    if not text or not text.strip():
        return None
    normalized, where = _normalize(text)
    for mask in _MASKS:
        normalized = _blank(normalized, mask)
    if professional:
        normalized = _blank(normalized, _PROFESSIONAL_MASK)
    best: tuple[int, int, str] | None = None  # (start, -length, category)
    for term in _LEXICON:
        if term.lang is not None and lang is not None and term.lang != lang:
            continue
        for found in term.pattern.finditer(normalized):
            if term.accept is not None and not term.accept(found.group(0)):
                continue
            candidate = (found.start(), found.start() - found.end(), term.category)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
            break  # later matches of the same entry start further right
    if best is None:
        return None
    start, negative_length, category = best
    end = start - negative_length
    term_as_written = text[where[start]:where[end - 1] + 1]
    return _found(category, term_as_written, source)


def find_sensitive(*texts: str) -> SensitiveMatch | None:
    """The first sensitive term in ``texts`` (read in order, in both languages), or
    ``None`` (P1.4, P6.2)."""
    for text in texts:
        if (match := _scan(text)) is not None:
            return match
    return None


def _is_professional(*labels: str) -> bool:
    return any(_PROFESSIONAL_LABEL.search(_normalize(label)[0]) for label in labels)


def check_field(label_fr: str, label_en: str, help_fr: str = "", help_en: str = "",
                options: Iterable[str] = ()) -> list[SensitiveMatch]:
    """Every sensitive term in a custom field's definition (P1.4, P6.2): at most one per
    label and help text (the first), one per offending option; each says its ``source``."""
    professional = _is_professional(label_fr, label_en)
    texts: list[tuple[str, str, str | None]] = [
        ("label_fr", label_fr, _FR), ("label_en", label_en, _EN),
        ("help_fr", help_fr, _FR), ("help_en", help_en, _EN),
    ]
    texts += [("options", option, None) for option in options]
    found = []
    for source, text, lang in texts:
        # A label is read as written; its help text and options in the label's context.
        in_context = professional and not source.startswith("label")
        match = _scan(text, lang=lang, professional=in_context, source=source)
        if match is not None:
            found.append(match)
    return found


def validate_field_texts(label_fr: str, label_en: str, help_fr: str = "", help_en: str = "",
                         options: Iterable[str] = ()) -> None:
    """Refuse a custom field that points at special-category data (P1.4, P6.2).

    Raises a ``ValidationError`` keyed by the offending input (``label_fr``, ``label_en``,
    ``help_fr``, ``help_en``, ``options``), each message saying what the term points at,
    why it is refused and what to ask instead; the messages are rendered in the language
    active when they are displayed. Returns ``None`` when the field may be stored.
    """
    errors: dict[str, list[ValidationError]] = {}
    for match in check_field(label_fr, label_en, help_fr, help_en, options):
        errors.setdefault(match.source, []).append(match.error())
    if errors:
        raise ValidationError(errors)
