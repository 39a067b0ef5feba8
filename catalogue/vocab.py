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
