"""Controlled vocabularies: krachtlijnen, regions and sectors, with their Dutch labels and aliases.

Each vocabulary maps a canonical key (stored in the database, used in the API) to a label
and a set of aliases. Lookup folds case and diacritics, so 'Laagdrempelig', 'laagdrempelig
en nabij' and 'LAAGDREMPELIG-EN-NABIJ-WERKEN' all resolve to the key 'laagdrempelig'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalogue.text import fold


@dataclass(frozen=True)
class Term:
    """One value of a controlled vocabulary."""

    key: str
    label: str
    description: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _norm(value: str) -> str:
    return re.sub(r"[\s_\-/]+", " ", fold(value)).strip()


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms with alias lookup."""

    name: str
    terms: tuple[Term, ...]

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for term in self.terms:
            for alias in (term.key, term.label, *term.aliases):
                lookup[_norm(alias)] = term.key
        object.__setattr__(self, "_lookup", lookup)

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.terms]

    def resolve(self, value: str) -> str | None:
        """The canonical key for a key, label or alias; None when unknown."""
        return self._lookup.get(_norm(value))  # type: ignore[attr-defined]

    def label(self, key: str) -> str:
        for term in self.terms:
            if term.key == key:
                return term.label
        return key

    def __contains__(self, key: object) -> bool:
        return key in self.keys


KRACHTLIJNEN = Vocabulary(
    "krachtlijn",
    (
        Term(
            "verbindend",
            "Verbindend werken",
            "Mensen verbinden met elkaar, met hun buurt en met maatschappelijke instellingen "
            "zoals scholen, zodat ze sterker staan en problemen samen aanpakken.",
            ("verbindend werken", "verbinden", "verbinding"),
        ),
        Term(
            "laagdrempelig",
            "Laagdrempelig en nabij werken",
            "Aanwezig zijn in de leefwereld van mensen in kwetsbare posities: thuis, in de buurt, "
            "in dienstencentra en verenigingen, aanklampend en met een agenda die samen wordt bepaald.",
            ("laagdrempelig en nabij", "laagdrempelig en nabij werken", "nabij", "nabij werken",
             "laagdrempelig werken"),
        ),
        Term(
            "politiserend",
            "Politiserend werken",
            "De toegang tot rechten bewaken, structurele oorzaken van onrecht aankaarten en samen "
            "met de betrokkenen het beleid beïnvloeden.",
            ("politiserend werken", "politiseren", "politisering"),
        ),
        Term(
            "generalistisch",
            "Generalistisch werken",
            "Met een brede blik over levensdomeinen heen kijken naar de hele situatie van mensen, "
            "als bruggenbouwer en kruispuntwerker.",
            ("generalistisch werken", "generalist", "generalistisch sociaal werk"),
        ),
        Term(
            "procesmatig",
            "Procesmatig werken",
            "Werken vanuit een proces waarvan de uitkomst niet vooraf vastligt, inspelend op de "
            "situatie en de ervaringskennis van de betrokkenen, met inspraak en participatie.",
            ("procesmatig werken", "proces", "procesgericht"),
        ),
    ),
)

REGIONS = Vocabulary(
    "regio",
    (
        Term("antwerpen", "Antwerpen", "Provincie Antwerpen", ("provincie antwerpen", "anvers")),
        Term("brussel", "Brussel", "Brussels Hoofdstedelijk Gewest",
             ("bruxelles", "brussels", "brussels hoofdstedelijk gewest", "bxl")),
        Term("limburg", "Limburg", "Provincie Limburg", ("provincie limburg",)),
        Term("oost-vlaanderen", "Oost-Vlaanderen", "Provincie Oost-Vlaanderen",
             ("oost vlaanderen", "provincie oost-vlaanderen", "ovl")),
        Term("vlaams-brabant", "Vlaams-Brabant", "Provincie Vlaams-Brabant",
             ("vlaams brabant", "provincie vlaams-brabant", "vbr")),
        Term("west-vlaanderen", "West-Vlaanderen", "Provincie West-Vlaanderen",
             ("west vlaanderen", "provincie west-vlaanderen", "wvl")),
        Term("vlaanderen", "Heel Vlaanderen", "Vlaanderenbreed, niet gebonden aan één regio",
             ("heel vlaanderen", "vlaanderenbreed", "vlaams", "flanders", "vlaanderen en brussel")),
    ),
)

SECTORS = Vocabulary(
    "sector",
    (
        Term("welzijn", "Welzijn", "Algemeen welzijnswerk, CAW, OCMW-hulpverlening",
             ("welzijnswerk", "hulpverlening", "maatschappelijk werk", "zorg en welzijn")),
        Term("gezondheid", "Gezondheid", "Eerstelijnszorg, geestelijke gezondheid, preventie",
             ("gezondheidszorg", "zorg", "geestelijke gezondheid", "ggz", "eerstelijnszorg")),
        Term("onderwijs", "Onderwijs", "Scholen, volwassenenonderwijs, vorming",
             ("school", "scholen", "vorming", "educatie", "leren")),
        Term("cultuur", "Cultuur", "Cultuur, sociaal-cultureel werk en gemeenschapsvorming",
             ("sociaal-cultureel werk", "sociaal cultureel werk", "gemeenschapsvorming", "kunst")),
        Term("wonen", "Wonen", "Huisvesting, sociale huur, dak- en thuisloosheid",
             ("huisvesting", "woonbeleid", "sociale huisvesting", "housing")),
        Term("werk", "Werk", "Arbeidsmarkt, tewerkstelling en activering",
             ("arbeid", "arbeidsmarkt", "tewerkstelling", "activering", "job", "jobs")),
        Term("jeugd", "Jeugd", "Jeugdwerk en jeugdhulp", ("jeugdwerk", "jeugdhulp", "jongeren")),
        Term("justitie", "Justitie", "Justitiehulp, gevangenissen, rechtshulp",
             ("justitiehulp", "gevangenis", "rechtshulp", "recht")),
        Term("vrije-tijd", "Vrije tijd en sport", "Vrijetijdsparticipatie en sport",
             ("vrije tijd", "vrijetijd", "sport", "vrijetijdsparticipatie")),
        Term("mobiliteit", "Mobiliteit", "Vervoer en bereikbaarheid", ("vervoer", "verkeer")),
        Term("inburgering", "Integratie en inburgering", "Inburgering, integratie, migratie",
             ("integratie", "integratie en inburgering", "migratie", "asiel")),
        Term("sociale-economie", "Sociale economie", "Maatwerkbedrijven, arbeidszorg, coöperaties",
             ("sociale economie", "maatwerk", "arbeidszorg")),
        Term("lokaal-bestuur", "Lokaal bestuur", "Gemeente, OCMW en sociaal huis",
             ("lokaal bestuur", "ocmw", "gemeente", "sociaal huis", "lokaal sociaal beleid")),
        Term("ruimtelijke-ordening", "Ruimtelijke ordening", "Ruimte, stadsvernieuwing en publieke ruimte",
             ("ruimtelijke ordening", "stadsontwikkeling", "stadsvernieuwing", "publieke ruimte")),
        Term("armoede", "Armoedebestrijding", "Armoedebestrijding en sociale grondrechten",
             ("armoedebestrijding", "armoedebeleid")),
    ),
)

VOCABULARIES: dict[str, Vocabulary] = {
    "krachtlijn": KRACHTLIJNEN,
    "region": REGIONS,
    "sector": SECTORS,
}

# Richer Dutch descriptions per krachtlijn and sector, written for the tag suggester
# (search/curation/suggest.py): each sentence is embedded on its own and a label's score is
# its best-matching sentence. The krachtlijnen follow the five krachtlijnen of the
# Sociaalwerkconferentie (2018), in our own words.
PROFILES: dict[str, dict[str, tuple[str, ...]]] = {
    "krachtlijn": {
        "verbindend": (
            "Mensen ontmoeten elkaar: buren, generaties, nieuwkomers en oude bewoners leren elkaar kennen.",
            "Het project verbindt mensen met hun buurt, met verenigingen en met instellingen zoals "
            "scholen, diensten en de gemeente.",
            "Samen bouwen mensen een sociaal netwerk op, staan ze sterker en pakken ze gedeelde "
            "problemen collectief aan.",
            "Organisaties werken samen over sectoren heen en slaan bruggen tussen werelden die "
            "elkaar anders niet vinden.",
            "Eenzaamheid doorbreken door ontmoeting, solidariteit en buurtnetwerken.",
        ),
        "laagdrempelig": (
            "Sociaal werkers gaan naar de mensen toe: op straat, aan huis, in de wijk, op de markt "
            "of aan de schoolpoort.",
            "Iedereen kan zonder afspraak, zonder doorverwijzing en gratis binnenlopen; er zijn "
            "weinig voorwaarden en drempels.",
            "Outreachend en aanklampend werken: aanwezig blijven in de leefwereld van mensen in "
            "kwetsbare posities en vertrouwen opbouwen.",
            "Hulp dichtbij en toegankelijk, vertrekkend van de vraag die mensen zelf stellen.",
            "Een vrije inloop, een vast aanspreekpunt in de buurt, een mobiel team dat langskomt.",
        ),
        "politiserend": (
            "Structurele oorzaken van armoede, uitsluiting en ongelijkheid zichtbaar maken en "
            "agenderen bij beleidsmakers.",
            "Opkomen voor sociale grondrechten en onderbescherming tegengaan: mensen krijgen de "
            "rechten, uitkeringen en voordelen waar ze recht op hebben.",
            "Samen met de betrokkenen actie voeren, knelpunten signaleren en wegen op beleid en "
            "regelgeving.",
            "Ervaringen van mensen in armoede vertalen naar voorstellen voor sociale "
            "rechtvaardigheid en structurele verandering.",
            "Automatische toekenning van rechten, beleidsadvies en belangenbehartiging.",
        ),
        "generalistisch": (
            "Met een brede blik kijken naar de hele leefsituatie: inkomen, wonen, gezondheid, "
            "werk, opvoeding en sociale contacten samen.",
            "Een eerste aanspreekpunt voor alle vragen, zonder hokjesdenken, dat gericht "
            "doorverwijst waar nodig.",
            "Bruggenbouwers en kruispuntwerkers brengen diensten en hulpverleners uit verschillende "
            "sectoren samen rond één persoon of gezin.",
            "Integrale hulp over de levensdomeinen heen: één loket, één traject, één begeleider.",
        ),
        "procesmatig": (
            "De uitkomst ligt niet vooraf vast: de aanpak wordt stap voor stap afgestemd op wat "
            "mensen zelf willen.",
            "Deelnemers bepalen mee de agenda; inspraak, participatie en ervaringskennis staan "
            "centraal.",
            "Een traject op lange termijn, met tijd voor vertrouwen, experiment, bijsturen en "
            "samen leren.",
            "Mensen worden mee-eigenaar van het project en groeien in hun eigen kracht en talenten.",
            "Een begeleiding op maat die meegroeit met de persoon, zonder vast stappenplan.",
        ),
    },
    "sector": {
        "welzijn": (
            "Algemeen welzijnswerk en maatschappelijk werk: het CAW, onthaal, begeleiding en "
            "hulpverlening bij persoonlijke, relationele en financiële problemen.",
            "Ondersteuning van mensen en gezinnen in een moeilijke situatie door sociaal werkers.",
        ),
        "gezondheid": (
            "Lichamelijke en geestelijke gezondheid: huisartsen, wijkgezondheidscentra, "
            "eerstelijnszorg, psychisch welzijn en preventie.",
            "Toegang tot zorg voor iedereen en gezondheidsongelijkheid verkleinen.",
        ),
        "onderwijs": (
            "Scholen, leerlingen, ouders en leerkrachten: onderwijskansen, huiswerkbegeleiding, "
            "schoolkosten en spijbelen.",
            "Vorming, opleiding en volwassenenonderwijs.",
        ),
        "cultuur": (
            "Kunst en cultuur: theater, muziek, creatieve ateliers, erfgoed en sociaal-cultureel "
            "werk.",
            "Cultuurparticipatie en gemeenschapsvorming met mensen die zelden aan bod komen.",
        ),
        "wonen": (
            "Wonen en huisvesting: betaalbare en goede woningen, sociale huur, huurders en "
            "verhuurders, uithuiszetting voorkomen.",
            "Dak- en thuisloosheid, Housing First, energiearmoede en woningrenovatie.",
        ),
        "werk": (
            "Werk en arbeidsmarkt: werkzoekenden begeleiden naar een job, activering, opleiding "
            "en tewerkstelling.",
        ),
        "jeugd": (
            "Kinderen en jongeren: jeugdwerk, jeugdhuizen, speelpleinen en jeugdhulp.",
            "Opvoedingsondersteuning en tieners en jongvolwassenen in kwetsbare situaties.",
        ),
        "justitie": (
            "Justitie: gevangenissen, gedetineerden en hun familie, re-integratie na detentie, "
            "slachtofferhulp en juridische bijstand.",
        ),
        "vrije-tijd": (
            "Vrije tijd en sport: sporten, spelen, vakantie en uitstappen voor iedereen, ook met "
            "een klein budget.",
        ),
        "mobiliteit": (
            "Mobiliteit en vervoer: verplaatsingen, openbaar vervoer, vervoer voor minder mobiele "
            "mensen, fietsen en de bereikbaarheid van diensten.",
        ),
        "inburgering": (
            "Nieuwkomers, migranten en vluchtelingen: inburgering, integratie, Nederlands "
            "oefenen, asiel en verblijf.",
        ),
        "sociale-economie": (
            "Sociale economie: maatwerkbedrijven, arbeidszorg, sociale tewerkstelling en "
            "coöperaties voor mensen met een afstand tot de arbeidsmarkt.",
        ),
        "lokaal-bestuur": (
            "Lokaal bestuur: de gemeente, de stad, het OCMW en het sociaal huis voeren een lokaal "
            "sociaal beleid en bieden sociale dienstverlening.",
        ),
        "ruimtelijke-ordening": (
            "Ruimtelijke ordening: de publieke ruimte, pleinen en parken, stadsvernieuwing en "
            "de inrichting van een wijk.",
        ),
        "armoede": (
            "Armoedebestrijding: mensen in armoede, een laag inkomen, schulden, voedselhulp en "
            "sociale kruideniers.",
            "Verenigingen waar armen het woord nemen en de strijd voor sociale grondrechten.",
        ),
    },
}
