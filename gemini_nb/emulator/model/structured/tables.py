"""Small fact tables: large cities, countries by region, classic books and films, simple recipes.

Written for this project. Populations are approximate and rounded: cities are urban-area
(metropolitan) estimates for around 2020, countries are early-2020s estimates; definitions
and sources differ, so treat them as "about" figures, which is how the model words them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..vocab import CAPITALS

__all__ = [
    "BOOKS",
    "CITY_COUNTRY",
    "COUNTRY_POPULATION",
    "COUNTRY_REGION",
    "LARGE_CITIES",
    "MOVIES",
    "RECIPES",
    "REGIONS",
    "Book",
    "City",
    "Movie",
    "Recipe",
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
class Recipe:
    name: str
    cuisine: str
    minutes: int
    servings: int
    ingredients: tuple[str, ...]
    steps: tuple[str, ...]


RECIPES: tuple[Recipe, ...] = (
    Recipe(
        "Chocolate chip cookies",
        "American",
        30,
        24,
        (
            "flour",
            "butter",
            "brown sugar",
            "eggs",
            "vanilla extract",
            "baking soda",
            "chocolate chips",
        ),
        (
            "Cream the butter and sugar, then beat in the eggs and vanilla.",
            "Mix in the flour and baking soda, then fold in the chocolate chips.",
            "Bake spoonfuls on a lined tray at 180 °C for 10 to 12 minutes.",
        ),
    ),
    Recipe(
        "Oatmeal raisin cookies",
        "American",
        35,
        20,
        ("rolled oats", "flour", "butter", "brown sugar", "egg", "cinnamon", "raisins"),
        (
            "Cream the butter and sugar, then beat in the egg.",
            "Stir in the flour, oats, cinnamon and raisins.",
            "Bake at 180 °C for 12 to 14 minutes.",
        ),
    ),
    Recipe(
        "Shortbread",
        "Scottish",
        45,
        16,
        ("flour", "butter", "sugar"),
        (
            "Rub the butter into the flour and sugar until it comes together.",
            "Press into a tin and prick with a fork.",
            "Bake at 160 °C for about 30 minutes, until pale golden.",
        ),
    ),
    Recipe(
        "Spaghetti aglio e olio",
        "Italian",
        20,
        2,
        ("spaghetti", "olive oil", "garlic", "chilli flakes", "parsley"),
        (
            "Cook the spaghetti in salted water.",
            "Gently fry sliced garlic and chilli in olive oil.",
            "Toss the pasta with the oil, a splash of pasta water and parsley.",
        ),
    ),
    Recipe(
        "Guacamole",
        "Mexican",
        10,
        4,
        ("avocados", "lime", "red onion", "coriander", "salt"),
        (
            "Mash the avocados with lime juice and salt.",
            "Stir in finely chopped onion and coriander.",
            "Taste, adjust the seasoning and serve straight away.",
        ),
    ),
    Recipe(
        "Tomato soup",
        "European",
        40,
        4,
        ("tomatoes", "onion", "garlic", "vegetable stock", "olive oil", "basil"),
        (
            "Soften the onion and garlic in olive oil.",
            "Add the tomatoes and stock and simmer for 20 minutes.",
            "Blend until smooth and finish with basil.",
        ),
    ),
    Recipe(
        "Pancakes",
        "American",
        25,
        4,
        ("flour", "milk", "eggs", "baking powder", "sugar", "butter"),
        (
            "Whisk the flour, baking powder and sugar with the milk and eggs.",
            "Cook ladlefuls in a buttered pan until bubbles form, then flip.",
            "Serve warm with your favourite toppings.",
        ),
    ),
    Recipe(
        "Vegetable stir-fry",
        "Chinese",
        20,
        2,
        ("mixed vegetables", "garlic", "ginger", "soy sauce", "sesame oil", "rice"),
        (
            "Cook the rice.",
            "Stir-fry garlic and ginger, then the vegetables, over high heat.",
            "Season with soy sauce and sesame oil and serve with the rice.",
        ),
    ),
    Recipe(
        "Greek salad",
        "Greek",
        15,
        2,
        ("tomatoes", "cucumber", "red onion", "feta", "olives", "olive oil", "oregano"),
        (
            "Chop the tomatoes, cucumber and onion.",
            "Top with feta and olives.",
            "Dress with olive oil and a pinch of oregano.",
        ),
    ),
    Recipe(
        "Banana bread",
        "American",
        70,
        8,
        ("ripe bananas", "flour", "butter", "sugar", "eggs", "baking soda"),
        (
            "Mash the bananas and mix with melted butter, sugar and eggs.",
            "Fold in the flour and baking soda.",
            "Bake in a loaf tin at 175 °C for about an hour.",
        ),
    ),
)
