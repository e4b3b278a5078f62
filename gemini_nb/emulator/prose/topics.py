"""Short, well-established notes on a few everyday science and nature topics.

This is the only "knowledge" the emulated model has beyond its other tables: a handful of
paragraphs per topic, written for this project and limited to textbook facts (the Moon's
phases, Rayleigh scattering, Iceland's volcanic setting...). ``Describe X``, ``Tell me about
X``, ``Explain X`` and ``Why is X...?`` use them when the topic matches; anything else gets
general prose without specifics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["TopicNotes", "notes_for"]


@dataclass(frozen=True)
class TopicNotes:
    """Paragraphs about one topic; ``why`` maps a question pattern to the paragraphs answering it."""

    pattern: str  # matched (case-insensitively) against the topic
    paragraphs: tuple[str, ...]
    why: tuple[tuple[str, tuple[str, ...]], ...] = ()
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "night" -> paragraphs


_SKY_BLUE = (
    "The sky looks blue because of the way sunlight interacts with the air. Sunlight seems white, "
    "but it is a mix of all the colours of the rainbow, each with its own wavelength, from long "
    "red waves to short blue and violet ones.",
    "As sunlight passes through the atmosphere, it runs into nitrogen and oxygen molecules that "
    "are far smaller than those wavelengths. They scatter light in every direction, and they "
    "scatter short wavelengths much more strongly than long ones, an effect called Rayleigh "
    "scattering. So blue light gets bounced all around the sky, and wherever you look away from "
    "the sun, some of it reaches your eyes.",
    "Violet light is scattered even more, but sunlight contains less of it and our eyes are less "
    "sensitive to it, so the sky looks blue rather than purple. The same effect explains red and "
    "orange sunsets: when the sun is low, its light crosses much more air, most of the blue is "
    "scattered away before it reaches you, and the warmer colours are what's left.",
)

_NOTES: tuple[TopicNotes, ...] = (
    TopicNotes(
        r"\bsky\b|\bsunsets?\b",
        _SKY_BLUE,
        why=((r"\bblue\b|\bcolou?r\b|\bred\b|\borange\b|\bsunset", _SKY_BLUE),),
    ),
    TopicNotes(
        r"\bmoon\b|\blunar\b",
        (
            "The Moon is Earth's only natural satellite, a rocky world about a quarter of Earth's "
            "width that orbits us at an average distance of roughly 384,000 kilometres. It is the "
            "fifth-largest moon in the Solar System and the brightest object in our night sky.",
            "The Moon doesn't make its own light; it reflects sunlight. As it orbits, we see "
            "different portions of its sunlit half, which gives the cycle of phases from new moon "
            "to full moon and back in about 29.5 days. It is tidally locked, so it always shows "
            "the same face to Earth.",
            "Its surface is covered in craters from ancient impacts and dark plains called maria, "
            "which are old lava flows. Its gravity is the main driver of Earth's ocean tides, and "
            "it is the only other world people have walked on, during the Apollo missions between "
            "1969 and 1972.",
        ),
    ),
    TopicNotes(
        r"\btides?\b|\btidal\b",
        (
            "Tides are the regular rise and fall of the sea, caused mainly by the Moon's gravity, "
            "with help from the Sun. The Moon pulls hardest on the side of Earth facing it and "
            "least on the far side, which stretches the oceans into two bulges.",
            "As Earth turns through those bulges, most coasts get two high tides and two low tides "
            "roughly every 24 hours and 50 minutes. When the Sun and Moon line up at new and full "
            "moon, their pulls add up to give larger spring tides; at the quarter moons they "
            "partly cancel, giving smaller neap tides.",
            "The shape of coastlines and the seabed makes a big difference locally: some places "
            "see barely any tide, while the Bay of Fundy in Canada has the largest tidal range in "
            "the world, up to about 16 metres.",
        ),
    ),
    TopicNotes(
        r"\bsun\b|\bsolar\b",
        (
            "The Sun is the star at the centre of our Solar System, a huge ball of hot plasma "
            "about 150 million kilometres from Earth. Its light takes a little over eight minutes "
            "to reach us.",
            "In its core, nuclear fusion turns hydrogen into helium, releasing the energy that "
            "lights and warms the planets. It holds more than 99.8% of the Solar System's mass.",
            "The Sun is about 4.6 billion years old, roughly halfway through its life as a stable, "
            "hydrogen-burning star.",
        ),
    ),
    TopicNotes(
        r"\bseas?\b|\boceans?\b|\bseaside\b",
        (
            "The sea covers about 71% of Earth's surface and holds around 97% of its water. It is "
            "salty, with roughly 35 grams of dissolved salt in every litre, and it is never still: "
            "wind raises waves, the pull of the Moon and Sun drives the tides, and great currents "
            "carry warm and cold water around the globe.",
            "Its colour changes with the light and the weather, from deep blue under a clear sky "
            "to grey-green before a storm. Near the surface it teems with life, from microscopic "
            "plankton to fish, seabirds and whales, while the deep sea below is dark, cold and "
            "still largely unexplored.",
        ),
        variants={
            "night": (
                "At night the sea changes character. With the sun gone, the water turns from blue "
                "to a deep, inky black, and on a moonless night the line between sea and sky can "
                "disappear altogether.",
                "When the moon is up, it lays a shimmering path of silver across the waves, and far "
                "from land the sky fills with more stars than you can see from any city. In some "
                "waters, tiny plankton glow blue-green when the water is disturbed, so breaking "
                "waves and a boat's wake can sparkle with bioluminescence.",
                "Without the daylight, sound and motion take over: the steady hiss of the swell, "
                "the slap of water against a hull, the creak of ropes and the wind. It can feel "
                "peaceful and vast at the same time, which is why night watches at sea stay with "
                "people long afterwards.",
            ),
        },
    ),
    TopicNotes(
        r"\bvolcan",
        (
            "A volcano is an opening in Earth's crust where molten rock, called magma underground "
            "and lava once it erupts, escapes to the surface together with gas and ash. Over many "
            "eruptions the lava and ash build up the familiar cone shape, though some volcanoes "
            "are broad shields or long fissures instead.",
            "Most volcanoes form where tectonic plates pull apart or where one plate dives beneath "
            "another, and some sit above hot spots in the mantle, like the one under Hawaii. "
            "Eruptions range from gentle lava flows to violent explosions, depending largely on "
            "how much gas the magma holds and how thick it is.",
            "Volcanoes are destructive, but they also build new land, create fertile soils and "
            "supply geothermal heat.",
        ),
    ),
    TopicNotes(
        r"\biceland",
        (
            "Iceland is one of the most volcanically active places on Earth. It sits on the "
            "Mid-Atlantic Ridge, where the North American and Eurasian plates are slowly pulling "
            "apart, and above a hot spot in the mantle, so magma reaches the surface there "
            "unusually often.",
            "The island has around 30 active volcanic systems, and an eruption happens every few "
            "years on average. Well-known examples include Hekla, Katla, Grímsvötn beneath the "
            "Vatnajökull ice cap, and Eyjafjallajökull, whose 2010 ash cloud grounded flights "
            "across Europe for days. Since 2021, a series of fissure eruptions on the Reykjanes "
            "Peninsula, not far from Reykjavík, has drawn attention once again.",
            "All that heat is also put to work: geothermal energy heats the vast majority of "
            "Icelandic homes and produces a large share of the country's electricity, and hot "
            "springs and geothermal pools are part of everyday life.",
        ),
    ),
    TopicNotes(
        r"\bphotosynthes",
        (
            "Photosynthesis is the process plants, algae and some bacteria use to turn light "
            "energy into chemical energy. Using sunlight, they combine carbon dioxide from the air "
            "with water to make glucose, a sugar they use for energy and growth, and release "
            "oxygen as a by-product.",
            "It happens mainly in the leaves, inside chloroplasts that contain the green pigment "
            "chlorophyll, which absorbs red and blue light and reflects green. The light-dependent "
            "reactions capture energy and split water, and the Calvin cycle uses that energy to "
            "build sugar from carbon dioxide.",
            "Almost every food chain on Earth starts with photosynthesis, and it produces the "
            "oxygen we breathe while pulling carbon dioxide out of the atmosphere.",
        ),
    ),
    TopicNotes(
        r"\bgravit",
        (
            "Gravity is the force of attraction between anything that has mass. It keeps your "
            "feet on the ground, holds the Moon in orbit around Earth and Earth in orbit around "
            "the Sun, and pulled gas and dust together to form stars and planets in the first "
            "place.",
            "Isaac Newton described it as a force that grows with mass and weakens with the square "
            "of the distance between objects. Albert Einstein's general relativity explains it "
            "more deeply, as the curving of space and time by mass and energy.",
            "It is by far the weakest of the four fundamental forces, yet because it always "
            "attracts and reaches across any distance, it shapes the universe on the largest "
            "scales. Near Earth's surface it makes falling objects speed up by about 9.8 metres "
            "per second every second.",
        ),
    ),
    TopicNotes(
        r"\brainbows?\b",
        (
            "A rainbow appears when sunlight shines into raindrops while the sun is behind you. "
            "Each drop acts like a tiny prism: light bends as it enters, reflects off the back of "
            "the drop and bends again as it leaves.",
            "Because each colour bends by a slightly different amount, white light spreads into "
            "its colours, with red on the outside of the arc and violet on the inside. The light "
            "comes back at an angle of about 42 degrees from the point directly opposite the sun, "
            "which is why a rainbow is a circular arc.",
            "Sometimes a fainter secondary bow appears outside the first, with its colours "
            "reversed, made by light that reflects twice inside the drops.",
        ),
    ),
    TopicNotes(
        r"\bblack holes?\b",
        (
            "A black hole is a region of space where gravity is so strong that nothing, not even "
            "light, can escape once it crosses the boundary called the event horizon.",
            "Stellar black holes form when very massive stars collapse at the end of their lives, "
            "while supermassive black holes, millions to billions of times the mass of the Sun, "
            "sit at the centres of most large galaxies, including our own Milky Way.",
            "We can't see black holes directly, but we detect them through their effects: stars "
            "orbiting something invisible, glowing discs of hot gas, and gravitational waves from "
            "colliding black holes. In 2019 the Event Horizon Telescope released the first image "
            "of a black hole's shadow, in the galaxy M87.",
        ),
    ),
    TopicNotes(
        r"\bforests?\b|\bwoods\b|\bwoodland",
        (
            "A forest is a large area dominated by trees, and forests cover roughly a third of "
            "Earth's land. They range from tropical rainforests near the equator to temperate "
            "woodlands and the vast coniferous forests of the far north.",
            "Forests are home to a large share of the world's land plants and animals, they store "
            "huge amounts of carbon, and they help regulate rainfall and protect soil.",
            "Step inside one and the light turns green and dappled, the air feels cooler and "
            "damper, and sound softens into birdsong, rustling leaves and the creak of branches.",
        ),
        variants={
            "night": (
                "At night a forest is a different place. The light fades to deep shadow, the air "
                "cools and carries the smell of damp earth and leaves, and shapes you knew by day "
                "become hard to read.",
                "Sound takes over: owls calling, insects, the rustle of small animals and the "
                "wind moving through the canopy.",
            ),
        },
    ),
)


def notes_for(topic: str, limit: int = 2) -> list[TopicNotes]:
    """The notes whose pattern matches the topic, in the order they appear in it."""
    found: list[tuple[int, int, TopicNotes]] = []
    for order, notes in enumerate(_NOTES):
        m = re.search(notes.pattern, topic, re.IGNORECASE)
        if m:
            found.append((m.start(), order, notes))
    found.sort(key=lambda item: (item[0], item[1]))
    return [notes for _pos, _order, notes in found][:limit]
