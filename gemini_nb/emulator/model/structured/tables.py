"""Small fact tables: large cities, countries by region, classic books and films, city sights.

Written for this project. Populations are approximate and rounded: cities are urban-area
(metropolitan) estimates for around 2020, countries are early-2020s estimates; definitions
and sources differ, so treat them as "about" figures, which is how the model words them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...prose.vocab import CAPITALS

__all__ = [
    "BOOKS",
    "CITY_COUNTRY",
    "CITY_SIGHTS",
    "COUNTRY_POPULATION",
    "COUNTRY_REGION",
    "LARGE_CITIES",
    "MOVIES",
    "REGIONS",
    "Book",
    "City",
    "Movie",
    "Sights",
    "cities_in",
    "region_in",
]


@dataclass(frozen=True)
class City:
    name: str
    country: str
    region: str
    population: int  # urban area, rounded


# The largest urban areas per region (approximate, around 2020).
LARGE_CITIES: tuple[City, ...] = (
    City("Tokyo", "Japan", "Asia", 37_400_000),
    City("Delhi", "India", "Asia", 30_300_000),
    City("Shanghai", "China", "Asia", 27_100_000),
    City("São Paulo", "Brazil", "South America", 22_000_000),
    City("Mexico City", "Mexico", "North America", 21_800_000),
    City("Dhaka", "Bangladesh", "Asia", 21_000_000),
    City("Cairo", "Egypt", "Africa", 20_900_000),
    City("Beijing", "China", "Asia", 20_500_000),
    City("Mumbai", "India", "Asia", 20_400_000),
    City("Osaka", "Japan", "Asia", 19_200_000),
    City("New York", "United States", "North America", 18_800_000),
    City("Karachi", "Pakistan", "Asia", 16_100_000),
    City("Istanbul", "Turkey", "Europe", 15_200_000),
    City("Buenos Aires", "Argentina", "South America", 15_200_000),
    City("Kolkata", "India", "Asia", 14_900_000),
    City("Lagos", "Nigeria", "Africa", 14_400_000),
    City("Kinshasa", "DR Congo", "Africa", 14_300_000),
    City("Manila", "Philippines", "Asia", 13_900_000),
    City("Rio de Janeiro", "Brazil", "South America", 13_500_000),
    City("Moscow", "Russia", "Europe", 12_500_000),
    City("Los Angeles", "United States", "North America", 12_400_000),
    City("Paris", "France", "Europe", 11_000_000),
    City("Bogotá", "Colombia", "South America", 11_000_000),
    City("Jakarta", "Indonesia", "Asia", 10_800_000),
    City("Lima", "Peru", "South America", 10_700_000),
    City("Bangkok", "Thailand", "Asia", 10_500_000),
    City("Seoul", "South Korea", "Asia", 10_000_000),
    City("Nagoya", "Japan", "Asia", 9_600_000),
    City("London", "United Kingdom", "Europe", 9_300_000),
    City("Tehran", "Iran", "Asia", 9_100_000),
    City("Chicago", "United States", "North America", 8_900_000),
    City("Luanda", "Angola", "Africa", 8_300_000),
    City("Santiago", "Chile", "South America", 6_800_000),
    City("Dar es Salaam", "Tanzania", "Africa", 6_700_000),
    City("Madrid", "Spain", "Europe", 6_600_000),
    City("Toronto", "Canada", "North America", 6_200_000),
    City("Belo Horizonte", "Brazil", "South America", 6_100_000),
    City("Johannesburg", "South Africa", "Africa", 5_800_000),
    City("Barcelona", "Spain", "Europe", 5_600_000),
    City("Saint Petersburg", "Russia", "Europe", 5_500_000),
    City("Sydney", "Australia", "Oceania", 5_300_000),
    City("Melbourne", "Australia", "Oceania", 5_200_000),
    City("Nairobi", "Kenya", "Africa", 4_700_000),
    City("Brasília", "Brazil", "South America", 4_600_000),
    City("Rome", "Italy", "Europe", 4_300_000),
    City("Medellín", "Colombia", "South America", 4_000_000),
    City("Berlin", "Germany", "Europe", 3_600_000),
    City("Guayaquil", "Ecuador", "South America", 3_000_000),
    City("Caracas", "Venezuela", "South America", 2_900_000),
    City("Brisbane", "Australia", "Oceania", 2_600_000),
    City("Perth", "Australia", "Oceania", 2_200_000),
    City("Auckland", "New Zealand", "Oceania", 1_700_000),
)

# Continent of each country in the capitals table (UN geoscheme regions, Americas split).
COUNTRY_REGION: dict[str, str] = {
    "Argentina": "South America",
    "Australia": "Oceania",
    "Austria": "Europe",
    "Belgium": "Europe",
    "Brazil": "South America",
    "Canada": "North America",
    "Chile": "South America",
    "China": "Asia",
    "Colombia": "South America",
    "Croatia": "Europe",
    "Czechia": "Europe",
    "Denmark": "Europe",
    "Egypt": "Africa",
    "Estonia": "Europe",
    "Ethiopia": "Africa",
    "Finland": "Europe",
    "France": "Europe",
    "Germany": "Europe",
    "Ghana": "Africa",
    "Greece": "Europe",
    "Hungary": "Europe",
    "Iceland": "Europe",
    "India": "Asia",
    "Indonesia": "Asia",
    "Iran": "Asia",
    "Ireland": "Europe",
    "Israel": "Asia",
    "Italy": "Europe",
    "Japan": "Asia",
    "Kenya": "Africa",
    "Mexico": "North America",
    "Morocco": "Africa",
    "Nepal": "Asia",
    "Netherlands": "Europe",
    "New Zealand": "Oceania",
    "Nigeria": "Africa",
    "Norway": "Europe",
    "Pakistan": "Asia",
    "Peru": "South America",
    "Philippines": "Asia",
    "Poland": "Europe",
    "Portugal": "Europe",
    "Romania": "Europe",
    "Russia": "Europe",
    "Saudi Arabia": "Asia",
    "Senegal": "Africa",
    "Singapore": "Asia",
    "South Africa": "Africa",
    "South Korea": "Asia",
    "Spain": "Europe",
    "Sweden": "Europe",
    "Switzerland": "Europe",
    "Thailand": "Asia",
    "Turkey": "Asia",
    "Ukraine": "Europe",
    "United Kingdom": "Europe",
    "United States": "North America",
    "Uruguay": "South America",
    "Vietnam": "Asia",
}

# Rounded population estimates (early 2020s) for the countries in the capitals table.
COUNTRY_POPULATION: dict[str, int] = {
    "Argentina": 46_000_000,
    "Australia": 26_000_000,
    "Austria": 9_100_000,
    "Belgium": 11_700_000,
    "Brazil": 216_000_000,
    "Canada": 39_000_000,
    "Chile": 19_600_000,
    "China": 1_410_000_000,
    "Colombia": 52_000_000,
    "Croatia": 3_900_000,
    "Czechia": 10_800_000,
    "Denmark": 5_900_000,
    "Egypt": 110_000_000,
    "Estonia": 1_400_000,
    "Ethiopia": 125_000_000,
    "Finland": 5_600_000,
    "France": 68_000_000,
    "Germany": 84_000_000,
    "Ghana": 34_000_000,
    "Greece": 10_400_000,
    "Hungary": 9_600_000,
    "Iceland": 390_000,
    "India": 1_430_000_000,
    "Indonesia": 278_000_000,
    "Iran": 89_000_000,
    "Ireland": 5_200_000,
    "Israel": 9_800_000,
    "Italy": 59_000_000,
    "Japan": 124_000_000,
    "Kenya": 55_000_000,
    "Mexico": 129_000_000,
    "Morocco": 37_000_000,
    "Nepal": 30_000_000,
    "Netherlands": 17_900_000,
    "New Zealand": 5_200_000,
    "Nigeria": 224_000_000,
    "Norway": 5_500_000,
    "Pakistan": 240_000_000,
    "Peru": 34_000_000,
    "Philippines": 117_000_000,
    "Poland": 37_000_000,
    "Portugal": 10_500_000,
    "Romania": 19_000_000,
    "Russia": 144_000_000,
    "Saudi Arabia": 36_000_000,
    "Senegal": 18_000_000,
    "Singapore": 5_900_000,
    "South Africa": 62_000_000,
    "South Korea": 51_700_000,
    "Spain": 48_000_000,
    "Sweden": 10_500_000,
    "Switzerland": 8_800_000,
    "Thailand": 72_000_000,
    "Turkey": 85_000_000,
    "United Kingdom": 68_000_000,
    "United States": 335_000_000,
    "Uruguay": 3_400_000,
    "Vietnam": 99_000_000,
}

# Region names a prompt may use -> the regions above they cover.
REGIONS: dict[str, tuple[str, ...]] = {
    "south america": ("South America",),
    "latin america": ("South America", "North America"),
    "north america": ("North America",),
    "europe": ("Europe",),
    "asia": ("Asia",),
    "africa": ("Africa",),
    "oceania": ("Oceania",),
    "the world": ("Asia", "Africa", "Europe", "North America", "South America", "Oceania"),
}

# Where the model knows a city's country from (big cities, the word lists and capitals).
CITY_COUNTRY: dict[str, str] = {
    **{c.name: c.country for c in LARGE_CITIES},
    **{capital: country for country, capital in CAPITALS.items()},
    "Kyoto": "Japan",
    "Toronto": "Canada",
    "Melbourne": "Australia",
    "Seville": "Spain",
    "Vancouver": "Canada",
    "Porto": "Portugal",
    "Edinburgh": "United Kingdom",
    "Montreal": "Canada",
    "Cape Town": "South Africa",
    "Valparaíso": "Chile",
    "Ghent": "Belgium",
    "Kraków": "Poland",
    "Marrakesh": "Morocco",
    "Barcelona": "Spain",
    "Milan": "Italy",
    "Munich": "Germany",
    "Venice": "Italy",
    "Florence": "Italy",
    "Istanbul": "Turkey",
}


def region_in(text: str) -> tuple[str, ...]:
    """The regions a text names ("cities in South America" -> ("South America",))."""
    low = text.lower()
    for name, regions in REGIONS.items():
        if re.search(rf"\b{name}\b", low):
            return regions
    if re.search(r"\b(?:in|of) the world\b|\bworld's\b|\bglobal(?:ly)?\b|\bon earth\b", low):
        return REGIONS["the world"]
    return ()


def cities_in(text: str) -> list[City]:
    """Large cities filtered by the country or region the text names, largest first."""
    countries = {c.country for c in LARGE_CITIES}
    named = [c for c in countries if re.search(rf"\b{re.escape(c)}\b", text)]
    if re.search(r"\b(?:USA|U\.S\.A?\.?|US|America's)\b", text) and not region_in(text):
        named.append("United States")
    if named:
        return [c for c in LARGE_CITIES if c.country in named]
    regions = region_in(text)
    if regions:
        return [c for c in LARGE_CITIES if c.region in regions]
    return []


@dataclass(frozen=True)
class Book:
    title: str
    author: str
    year: int
    genre: str


BOOKS: tuple[Book, ...] = (
    Book("Pride and Prejudice", "Jane Austen", 1813, "romance"),
    Book("Nineteen Eighty-Four", "George Orwell", 1949, "dystopian fiction"),
    Book("To Kill a Mockingbird", "Harper Lee", 1960, "literary fiction"),
    Book("The Great Gatsby", "F. Scott Fitzgerald", 1925, "literary fiction"),
    Book("One Hundred Years of Solitude", "Gabriel García Márquez", 1967, "magical realism"),
    Book("Moby-Dick", "Herman Melville", 1851, "adventure"),
    Book("Dune", "Frank Herbert", 1965, "science fiction"),
    Book("The Hobbit", "J. R. R. Tolkien", 1937, "fantasy"),
    Book("Frankenstein", "Mary Shelley", 1818, "gothic fiction"),
    Book("Jane Eyre", "Charlotte Brontë", 1847, "romance"),
    Book("Crime and Punishment", "Fyodor Dostoevsky", 1866, "psychological fiction"),
    Book("Things Fall Apart", "Chinua Achebe", 1958, "literary fiction"),
    Book("The Left Hand of Darkness", "Ursula K. Le Guin", 1969, "science fiction"),
    Book("Don Quixote", "Miguel de Cervantes", 1605, "satire"),
)


@dataclass(frozen=True)
class Movie:
    title: str
    director: str
    year: int
    genre: str


MOVIES: tuple[Movie, ...] = (
    Movie("Casablanca", "Michael Curtiz", 1942, "romance"),
    Movie("The Godfather", "Francis Ford Coppola", 1972, "crime"),
    Movie("Spirited Away", "Hayao Miyazaki", 2001, "animation"),
    Movie("Jaws", "Steven Spielberg", 1975, "thriller"),
    Movie("2001: A Space Odyssey", "Stanley Kubrick", 1968, "science fiction"),
    Movie("Parasite", "Bong Joon-ho", 2019, "thriller"),
    Movie("Seven Samurai", "Akira Kurosawa", 1954, "adventure"),
    Movie("Psycho", "Alfred Hitchcock", 1960, "horror"),
    Movie("Star Wars", "George Lucas", 1977, "science fiction"),
    Movie("Inception", "Christopher Nolan", 2010, "science fiction"),
    Movie("Amélie", "Jean-Pierre Jeunet", 2001, "comedy"),
    Movie("Some Like It Hot", "Billy Wilder", 1959, "comedy"),
)


@dataclass(frozen=True)
class Sights:
    """Well-known things to do in a city, by time of day, for trip plans."""

    morning: tuple[str, ...]
    afternoon: tuple[str, ...]
    evening: tuple[str, ...]
    food: tuple[str, ...]


CITY_SIGHTS: dict[str, Sights] = {
    "Lisbon": Sights(
        (
            "Wander up through the Alfama district to São Jorge Castle for views over the city",
            "Ride historic Tram 28 through Graça and Alfama",
        ),
        (
            "Head to Belém for Jerónimos Monastery and Belém Tower",
            "Explore the Baixa and Chiado neighbourhoods and the riverside Praça do Comércio",
        ),
        (
            "Catch the sunset from a miradouro such as Senhora do Monte",
            "Listen to fado in Alfama or Bairro Alto",
        ),
        (
            "grilled sardines or a bifana, with a pastel de nata for dessert",
            "a bowl of caldo verde",
        ),
    ),
    "Paris": Sights(
        (
            "Visit the Louvre early, before the crowds",
            "Climb the hill of Montmartre to the Sacré-Cœur",
        ),
        ("Walk along the Seine past Notre-Dame and the Île de la Cité", "Explore Le Marais"),
        ("See the Eiffel Tower light up after dark", "Take an evening stroll along the Seine"),
        ("a croque-monsieur at a café", "a set lunch at a neighbourhood bistro"),
    ),
    "Rome": Sights(
        (
            "Start at the Colosseum and the Roman Forum",
            "Visit the Vatican Museums and St Peter's Basilica",
        ),
        ("See the Pantheon and toss a coin in the Trevi Fountain", "Wander around Piazza Navona"),
        ("Have dinner in Trastevere", "Watch the sunset from the Pincio terrace"),
        ("pizza al taglio", "cacio e pepe at a trattoria"),
    ),
    "London": Sights(
        ("Visit the British Museum (entry is free)", "Explore the Tower of London"),
        ("Walk the South Bank from Westminster to Tower Bridge", "Browse Borough Market"),
        ("See a show in the West End", "Have dinner in Covent Garden"),
        ("street food at Borough Market", "a classic pub meal"),
    ),
    "Barcelona": Sights(
        ("Visit the Sagrada Família (book ahead)", "Explore Park Güell"),
        ("Wander through the Gothic Quarter", "Relax on Barceloneta beach"),
        ("Have tapas in El Born", "Watch the sunset from Montjuïc"),
        ("a bite at La Boqueria market", "tapas in the Gothic Quarter"),
    ),
    "Tokyo": Sights(
        ("Visit Senso-ji temple in Asakusa", "Walk through Meiji Shrine's forested grounds"),
        ("Browse the Tsukiji Outer Market", "Explore Harajuku and Omotesando"),
        ("See the lights of Shibuya Crossing", "Eat at a small izakaya in Shinjuku"),
        ("a bowl of ramen", "sushi at the Tsukiji Outer Market"),
    ),
    "New York": Sights(
        ("Walk through Central Park", "Visit the Metropolitan Museum of Art"),
        ("Stroll along the High Line", "Walk across the Brooklyn Bridge"),
        ("See the lights of Times Square", "Catch a Broadway show"),
        ("a slice of New York pizza", "a deli sandwich"),
    ),
    "Berlin": Sights(
        ("Start at the Brandenburg Gate and the Reichstag dome", "Explore Museum Island"),
        ("Walk along the East Side Gallery", "Visit the Berlin Wall Memorial"),
        ("Spend the evening in Kreuzberg", "Have dinner in Prenzlauer Berg"),
        ("a currywurst", "a döner kebab"),
    ),
    "Amsterdam": Sights(
        ("Visit the Rijksmuseum", "Walk the canal ring"),
        ("Visit the Anne Frank House (book ahead)", "Relax in the Vondelpark"),
        ("Take an evening canal cruise", "Have dinner in the Jordaan"),
        ("a broodje from a local café", "Dutch pancakes"),
    ),
    "Kyoto": Sights(
        ("Walk the torii gates of Fushimi Inari Shrine", "Visit Kinkaku-ji, the Golden Pavilion"),
        ("Explore the Arashiyama bamboo grove", "Wander around Kiyomizu-dera"),
        ("Stroll through the Gion district", "Walk along the Kamo River"),
        ("a bowl of udon", "tofu dishes, a Kyoto speciality"),
    ),
}
