"""The emulator's built-in knowledge: short reference pages for grounding and a few map places.

Every page lives on an `example.*` domain (reserved for documentation, RFC 2606), so emulated
citations can never be mistaken for real sources. The business places are fictional; the
landmarks are real but carry no ratings.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["CITIES", "DOCUMENTS", "PLACES", "Document", "Place", "document_at"]


@dataclass(frozen=True)
class Document:
    """One reference page: where it lives, its title and its text (a few plain sentences)."""

    url: str
    title: str
    text: str

    @property
    def domain(self) -> str:
        return urlsplit(self.url).hostname or ""


@dataclass(frozen=True)
class Place:
    """A map place: name, city, categories, a one-line description, optional rating."""

    name: str
    city: str
    categories: tuple[str, ...]
    description: str
    rating: float | None = None
    reviews: int | None = None


_SCIENCE = "https://encyclopedia.example.org/science/"
_HISTORY = "https://encyclopedia.example.org/history/"
_ATLAS = "https://atlas.example.net/"
_DEV = "https://devnotes.example.com/"
_SPORT = "https://sportsdesk.example.net/"
_FOOD = "https://kitchen.example.com/"
_SPACE = "https://space.example.org/"

DOCUMENTS: tuple[Document, ...] = (
    Document(
        _SCIENCE + "photosynthesis",
        "Photosynthesis",
        "Photosynthesis is the process by which plants, algae and some bacteria turn light energy into chemical energy. "
        "It takes place mainly in the chloroplasts of leaf cells, where the pigment chlorophyll absorbs red and blue light. "
        "The process combines carbon dioxide and water into glucose and releases oxygen as a by-product. "
        "Nearly all the oxygen in Earth's atmosphere was produced by photosynthesis over billions of years.",
    ),
    Document(
        _SCIENCE + "water-cycle",
        "The water cycle",
        "The water cycle describes how water moves between the oceans, the atmosphere and the land. "
        "Heat from the Sun evaporates water, which rises, cools and condenses into clouds. "
        "Water returns to the surface as precipitation such as rain or snow. "
        "Rivers and groundwater carry much of it back to the sea, where the cycle begins again.",
    ),
    Document(
        _SCIENCE + "dna",
        "DNA",
        "DNA, or deoxyribonucleic acid, is the molecule that carries genetic instructions in living organisms. "
        "Its structure is a double helix made of two strands wound around each other. "
        "The sequence of four bases, adenine, thymine, guanine and cytosine, encodes genetic information. "
        "The double-helix structure was described in 1953 using X-ray diffraction data.",
    ),
    Document(
        _SCIENCE + "speed-of-light",
        "The speed of light",
        "Light travels through a vacuum at exactly 299,792,458 metres per second. "
        "Since 1983 the metre has been defined from this value, which is why it is exact. "
        "Light from the Sun takes about 8 minutes and 20 seconds to reach Earth. "
        "Nothing carrying information can travel faster than light in a vacuum.",
    ),
    Document(
        _SCIENCE + "volcanoes",
        "Volcanoes",
        "A volcano is an opening in a planet's crust through which molten rock, ash and gases escape. "
        "Most volcanoes form at the boundaries of tectonic plates, especially around the Pacific Ring of Fire. "
        "Molten rock is called magma underground and lava once it reaches the surface. "
        "Volcanic soils are often very fertile, which is why farming thrives near many volcanoes.",
    ),
    Document(
        _SCIENCE + "immune-system",
        "How vaccines train the immune system",
        "Vaccines prepare the immune system to recognise a pathogen without causing the disease. "
        "They expose the body to a harmless piece or weakened form of the pathogen, or instructions to make one of its proteins. "
        "The immune system responds by producing antibodies and memory cells. "
        "If the real pathogen appears later, the memory cells allow a faster and stronger response.",
    ),
    Document(
        _SCIENCE + "honeybees",
        "Honeybees",
        "Honeybees live in colonies with a single queen, thousands of female workers and seasonal male drones. "
        "Workers communicate the direction and distance of flowers through a movement called the waggle dance. "
        "Bees turn nectar into honey by adding enzymes and evaporating most of its water. "
        "As pollinators, bees help many fruit and vegetable crops produce seeds.",
    ),
    Document(
        _ATLAS + "france/paris",
        "Paris, France",
        "Paris is the capital and largest city of France. "
        "The city lies on the river Seine in the north of the country. "
        "Its landmarks include the Eiffel Tower, the Louvre museum and the Notre-Dame cathedral. "
        "The Eiffel Tower was completed in 1889 for a world's fair and is about 330 metres tall.",
    ),
    Document(
        _ATLAS + "japan/tokyo",
        "Tokyo, Japan",
        "Tokyo is the capital of Japan and the centre of the largest metropolitan area in the world. "
        "The city was known as Edo until 1868, when it became the imperial capital. "
        "Tokyo is famous for its rail network, including the high-speed Shinkansen lines. "
        "The Greater Tokyo Area is home to more than 35 million people.",
    ),
    Document(
        _ATLAS + "rivers/amazon",
        "The Amazon River",
        "The Amazon is the largest river in the world by the volume of water it carries. "
        "It flows about 6,400 kilometres across South America, mostly through Brazil, to the Atlantic Ocean. "
        "Its basin holds the largest tropical rainforest on Earth. "
        "The river discharges roughly a fifth of all the fresh water that rivers deliver to the oceans.",
    ),
    Document(
        _ATLAS + "deserts/sahara",
        "The Sahara",
        "The Sahara is the largest hot desert in the world, covering much of North Africa. "
        "It spans about 9 million square kilometres, an area comparable to the United States. "
        "Only a small part of the Sahara is sand dunes; most of it is rocky plateau and gravel plain. "
        "Thousands of years ago the region was much wetter and supported lakes and grasslands.",
    ),
    Document(
        _ATLAS + "mountains/everest",
        "Mount Everest",
        "Mount Everest is the highest mountain on Earth above sea level, at 8,849 metres. "
        "It stands in the Himalayas on the border between Nepal and China. "
        "The first confirmed ascent to the summit was made in 1953 by Tenzing Norgay and Edmund Hillary. "
        "Climbers usually attempt the summit in May, when winds are calmer.",
    ),
    Document(
        _ATLAS + "australia/great-barrier-reef",
        "The Great Barrier Reef",
        "The Great Barrier Reef lies off the coast of Queensland in north-eastern Australia. "
        "It is the largest coral reef system in the world, stretching more than 2,300 kilometres. "
        "The reef is built by tiny animals called coral polyps over thousands of years. "
        "Rising sea temperatures can cause coral bleaching, which threatens the reef's health.",
    ),
    Document(
        _ATLAS + "iceland",
        "Iceland",
        "Iceland is an island country in the North Atlantic, between Greenland and Norway. "
        "It sits on the Mid-Atlantic Ridge, so it has many volcanoes, geysers and hot springs. "
        "Most of the country's electricity comes from hydropower and geothermal energy. "
        "Its capital, Reykjavik, is the northernmost capital of a sovereign state.",
    ),
    Document(
        _HISTORY + "roman-empire",
        "The Roman Empire",
        "The Roman Empire began in 27 BC, when Augustus became the first emperor. "
        "At its height it surrounded the Mediterranean Sea and stretched from Britain to the Middle East. "
        "Roman engineers built roads, aqueducts and concrete structures that still stand today. "
        "The western half of the empire ended in 476 AD, while the eastern half continued as the Byzantine Empire.",
    ),
    Document(
        _HISTORY + "printing-press",
        "The printing press",
        "Johannes Gutenberg developed a printing press with movable metal type in Mainz around 1440. "
        "His method made books far cheaper and faster to produce than hand-copied manuscripts. "
        "The Gutenberg Bible, printed in the 1450s, is one of the first major books printed this way. "
        "Printing helped spread literacy and new ideas across Europe.",
    ),
    Document(
        _HISTORY + "moon-landing",
        "The first Moon landing",
        "Apollo 11 landed the first humans on the Moon on 20 July 1969. "
        "Neil Armstrong and Buzz Aldrin walked on the surface while Michael Collins orbited above. "
        "The astronauts collected about 21.5 kilograms of lunar rock and soil. "
        "Six Apollo missions landed on the Moon between 1969 and 1972.",
    ),
    Document(
        _HISTORY + "great-wall",
        "The Great Wall of China",
        "The Great Wall of China is a series of fortifications built across northern China over many centuries. "
        "Most of the wall that survives today was built during the Ming dynasty, between the 14th and 17th centuries. "
        "Including all its branches, the wall system measures more than 21,000 kilometres. "
        "Contrary to a popular claim, the wall is not visible to the naked eye from the Moon.",
    ),
    Document(
        _HISTORY + "industrial-revolution",
        "The Industrial Revolution",
        "The Industrial Revolution began in Britain in the second half of the 18th century. "
        "Steam engines, mechanised textile mills and new iron-making methods transformed production. "
        "Railways spread in the 19th century and made travel and trade much faster. "
        "The period also brought rapid urban growth and major changes in working conditions.",
    ),
    Document(
        _DEV + "python",
        "The Python programming language",
        "Python is a high-level, general-purpose programming language first released by Guido van Rossum in 1991. "
        "Its design emphasises readability, using indentation to define code blocks. "
        "Python comes with a large standard library and is widely used for data science, automation and web development. "
        "Python 3 was released in 2008 and is not fully backward compatible with Python 2.",
    ),
    Document(
        _DEV + "json",
        "JSON",
        "JSON, short for JavaScript Object Notation, is a lightweight text format for exchanging data. "
        "A JSON document is built from objects, arrays, strings, numbers, booleans and null. "
        "Object keys must be strings written in double quotes. "
        "Most web APIs, including REST services, send and receive JSON.",
    ),
    Document(
        _DEV + "http",
        "HTTP",
        "HTTP is the protocol that web browsers and servers use to exchange requests and responses. "
        "A request names a method such as GET or POST, a path and a set of headers. "
        "Responses carry a status code, for example 200 for success or 404 when a resource is not found. "
        "HTTPS is HTTP sent over an encrypted TLS connection.",
    ),
    Document(
        _DEV + "git",
        "Git",
        "Git is a distributed version control system created by Linus Torvalds in 2005. "
        "Every clone of a Git repository contains the full history of the project. "
        "Changes are recorded as commits, and branches let developers work on features in isolation. "
        "Merging combines the work of different branches back together.",
    ),
    Document(
        _DEV + "recursion",
        "Recursion",
        "Recursion is a technique in which a function solves a problem by calling itself on smaller inputs. "
        "Every recursive function needs a base case that stops the calls. "
        "Classic examples include computing factorials and traversing tree structures. "
        "Deep recursion can exhaust the call stack, so some problems are better solved with loops.",
    ),
    Document(
        _DEV + "sql",
        "SQL",
        "SQL is the standard language for querying and managing relational databases. "
        "Data lives in tables made of rows and columns. "
        "A SELECT statement retrieves rows, and a JOIN combines rows from several tables. "
        "Indexes make lookups faster at the cost of extra storage and slower writes.",
    ),
    Document(
        _SPORT + "olympic-games",
        "The Olympic Games",
        "The modern Olympic Games were first held in Athens in 1896. "
        "The Summer and Winter Games each take place every four years, two years apart. "
        "The five interlocking rings of the Olympic flag represent the participating continents. "
        "Paris hosted the Summer Olympics in 1900, 1924 and 2024.",
    ),
    Document(
        _SPORT + "football-world-cup",
        "The FIFA World Cup",
        "The FIFA World Cup is the international championship of men's association football. "
        "The first tournament was held in Uruguay in 1930. "
        "Brazil has won the World Cup five times, more than any other country. "
        "The tournament is normally played every four years.",
    ),
    Document(
        _SPORT + "marathon",
        "The marathon",
        "A marathon is a long-distance running race of 42.195 kilometres. "
        "The distance was standardised in 1921, based on the course of the 1908 London Olympics. "
        "The race is named after the legend of a Greek messenger who ran from Marathon to Athens. "
        "Major city marathons attract tens of thousands of runners each year.",
    ),
    Document(
        _SPORT + "tennis-grand-slams",
        "Tennis Grand Slam tournaments",
        "The four Grand Slam tournaments are the Australian Open, the French Open, Wimbledon and the US Open. "
        "Wimbledon, first played in 1877, is the oldest tennis tournament in the world. "
        "The French Open is played on clay courts, while Wimbledon is played on grass. "
        "Winning all four in one calendar year is called a calendar Grand Slam.",
    ),
    Document(
        _FOOD + "coffee",
        "Coffee",
        "Coffee is brewed from the roasted seeds of the Coffea plant, commonly called coffee beans. "
        "The two most widely grown species are Arabica and Robusta. "
        "Espresso is made by forcing hot water through finely ground coffee under pressure. "
        "Roasting develops the flavour of the beans and changes their colour from green to brown.",
    ),
    Document(
        _FOOD + "sourdough",
        "Sourdough bread",
        "Sourdough bread is leavened by a starter, a culture of wild yeast and lactic acid bacteria. "
        "The bacteria produce acids that give the bread its slightly sour taste. "
        "A starter is kept alive by regularly feeding it flour and water. "
        "Long fermentation also helps the crust brown and the bread keep longer.",
    ),
    Document(
        _FOOD + "chocolate",
        "Chocolate",
        "Chocolate is made from the seeds of the cacao tree, which grows in tropical regions. "
        "The seeds are fermented, dried, roasted and ground into cocoa mass. "
        "Dark chocolate contains more cocoa solids and less sugar than milk chocolate. "
        "Côte d'Ivoire and Ghana grow a large share of the world's cacao.",
    ),
    Document(
        _FOOD + "sushi",
        "Sushi",
        "Sushi is a Japanese dish of vinegared rice combined with ingredients such as raw fish, seafood or vegetables. "
        "Nigiri is a hand-pressed mound of rice topped with a slice of fish. "
        "Maki rolls wrap rice and fillings in a sheet of nori seaweed. "
        "Sushi rice is seasoned with rice vinegar, sugar and salt.",
    ),
    Document(
        _FOOD + "pizza-margherita",
        "Pizza Margherita",
        "Pizza Margherita is a Neapolitan pizza topped with tomato, mozzarella and fresh basil. "
        "Its colours are often said to match the Italian flag. "
        "Traditional Neapolitan pizza is baked for about 90 seconds in a wood-fired oven at around 450 °C. "
        "Naples is widely regarded as the birthplace of modern pizza.",
    ),
    Document(
        _SPACE + "mars",
        "Mars",
        "Mars is the fourth planet from the Sun and is often called the Red Planet. "
        "Its red colour comes from iron oxide, or rust, in its dust and rocks. "
        "Mars has the largest volcano in the Solar System, Olympus Mons. "
        "A day on Mars lasts about 24 hours and 37 minutes.",
    ),
    Document(
        _SPACE + "jupiter",
        "Jupiter",
        "Jupiter is the largest planet in the Solar System, more than twice as massive as all the other planets combined. "
        "It is a gas giant made mostly of hydrogen and helium. "
        "The Great Red Spot is a giant storm that has been observed for centuries. "
        "Jupiter has dozens of known moons, including Ganymede, the largest moon in the Solar System.",
    ),
    Document(
        _SPACE + "black-holes",
        "Black holes",
        "A black hole is a region of space where gravity is so strong that nothing, not even light, can escape. "
        "The boundary around it is called the event horizon. "
        "Stellar black holes form when very massive stars collapse at the end of their lives. "
        "The first image of a black hole's shadow was published in 2019.",
    ),
    Document(
        _SPACE + "international-space-station",
        "The International Space Station",
        "The International Space Station is a crewed laboratory orbiting Earth at about 400 kilometres altitude. "
        "It circles the planet roughly every 90 minutes, so the crew sees about 16 sunrises a day. "
        "Astronauts have lived on board continuously since November 2000. "
        "The station is a joint project of several space agencies.",
    ),
    Document(
        _SPACE + "the-moon",
        "The Moon",
        "The Moon is Earth's only natural satellite, orbiting at an average distance of about 384,400 kilometres. "
        "It always shows the same face to Earth because its rotation is synchronised with its orbit. "
        "The Moon's gravity is the main cause of the ocean tides. "
        "Its surface is covered with craters formed by impacts.",
    ),
    Document(
        "https://docs.example.dev/gemini-nb/emulator",
        "The gemini-nb emulator",
        "The gemini-nb emulator is a local server that speaks the Gemini API wire protocol with deterministic answers. "
        "It lets notebooks, demos and tests run without an API key or network access. "
        "Its grounding tools cite a small built-in set of reference pages on example domains. "
        "The same request always produces the same response.",
    ),
)

_BY_URL: dict[str, Document] = {}
for _doc in DOCUMENTS:
    _BY_URL[_doc.url.rstrip("/").lower()] = _doc


def document_at(url: str) -> Document | None:
    """The corpus page at `url` (scheme, trailing slash, `www.` and case do not matter)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    key = f"https://{host}{parts.path}".rstrip("/").lower()
    return _BY_URL.get(key)


# City -> (latitude, longitude), used to find the city nearest to a retrievalConfig.latLng.
CITIES: dict[str, tuple[float, float]] = {
    "San Francisco": (37.7749, -122.4194),
    "New York": (40.7128, -74.0060),
    "Paris": (48.8566, 2.3522),
    "London": (51.5074, -0.1278),
    "Tokyo": (35.6762, 139.6503),
}

PLACES: tuple[Place, ...] = (
    Place(
        "Fogline Coffee",
        "San Francisco",
        ("coffee", "cafe"),
        "a small espresso bar known for its single-origin pour-overs",
        4.7,
        812,
    ),
    Place(
        "Cable Street Roasters",
        "San Francisco",
        ("coffee", "cafe", "bakery"),
        "a roastery cafe with pastries baked every morning",
        4.5,
        1264,
    ),
    Place(
        "Mission Crust Pizza",
        "San Francisco",
        ("pizza", "restaurant"),
        "a pizzeria serving thin-crust pies from a brick oven",
        4.6,
        958,
    ),
    Place(
        "Golden Gate Park",
        "San Francisco",
        ("park", "landmark"),
        "a large urban park with gardens, museums and lakes",
    ),
    Place(
        "Bayview Books",
        "San Francisco",
        ("bookstore", "books"),
        "an independent bookshop with a strong travel section",
        4.8,
        341,
    ),
    Place(
        "Hudson Bean Cafe",
        "New York",
        ("coffee", "cafe"),
        "a busy corner cafe with cold brew on tap",
        4.4,
        2210,
    ),
    Place(
        "Bleecker Oven Pizza",
        "New York",
        ("pizza", "restaurant"),
        "a slice shop famous for its classic cheese slice",
        4.6,
        3120,
    ),
    Place(
        "Central Park",
        "New York",
        ("park", "landmark"),
        "the city's best-known park, with lakes, meadows and walking paths",
    ),
    Place(
        "Empire Deli & Bakery",
        "New York",
        ("bakery", "restaurant"),
        "a bakery and deli known for its bagels and rye bread",
        4.5,
        1477,
    ),
    Place(
        "Café des Quais",
        "Paris",
        ("coffee", "cafe"),
        "a riverside cafe with a terrace facing the Seine",
        4.5,
        689,
    ),
    Place(
        "Boulangerie Montmartre",
        "Paris",
        ("bakery",),
        "a neighbourhood bakery known for its baguettes and croissants",
        4.7,
        1532,
    ),
    Place(
        "Louvre Museum",
        "Paris",
        ("museum", "landmark"),
        "the world's most-visited art museum, home of the Mona Lisa",
    ),
    Place(
        "Eiffel Tower",
        "Paris",
        ("landmark",),
        "the wrought-iron tower on the Champ de Mars, completed in 1889",
    ),
    Place(
        "Trattoria del Marais",
        "Paris",
        ("pizza", "restaurant"),
        "an Italian trattoria with wood-fired pizzas",
        4.4,
        874,
    ),
    Place(
        "Southbank Coffee House",
        "London",
        ("coffee", "cafe"),
        "a cafe near the river with flat whites and window seats",
        4.6,
        1048,
    ),
    Place(
        "British Museum",
        "London",
        ("museum", "landmark"),
        "a museum of human history, art and culture in Bloomsbury",
    ),
    Place(
        "Hyde Park",
        "London",
        ("park", "landmark"),
        "a royal park with the Serpentine lake and Speakers' Corner",
    ),
    Place(
        "Camden Stone Pizza",
        "London",
        ("pizza", "restaurant"),
        "a stone-baked pizza kitchen with vegan options",
        4.5,
        2033,
    ),
    Place(
        "Kissa Sakura",
        "Tokyo",
        ("coffee", "cafe"),
        "a quiet retro coffee house serving hand-dripped coffee",
        4.6,
        723,
    ),
    Place(
        "Senso-ji",
        "Tokyo",
        ("landmark", "temple"),
        "Tokyo's oldest Buddhist temple, in the Asakusa district",
    ),
    Place(
        "Shinjuku Gyoen",
        "Tokyo",
        ("park", "landmark"),
        "a large garden known for its cherry blossoms",
    ),
    Place(
        "Sushi Minato",
        "Tokyo",
        ("sushi", "restaurant"),
        "a counter sushi restaurant serving seasonal nigiri",
        4.8,
        1189,
    ),
)
