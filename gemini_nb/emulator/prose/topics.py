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
        r"\bnight sky\b|\bstars\b|\bstarry\b",
        (
            "On a clear, dark night far from city lights, a few thousand stars are visible to the "
            "naked eye, along with the faint, milky band of the Milky Way, our own galaxy seen "
            "edge-on from the inside.",
            "Planets such as Venus and Jupiter shine as bright, steady points, and the whole sky "
            "appears to wheel slowly overhead as Earth turns. Light pollution washes most of this "
            "out, which is why dark-sky sites are so prized by stargazers.",
        ),
    ),
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
        why=((r".", ()),),
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
        why=(
            (
                r"\bsalt",
                (
                    "The sea is salty because rivers carry tiny amounts of dissolved minerals, "
                    "washed out of rocks on land, into it. When seawater evaporates, the salt stays "
                    "behind, so over millions of years it has built up to about 35 grams per litre.",
                    "Hydrothermal vents and undersea volcanoes add more minerals from below, while "
                    "some salt is locked away again in sediments, which keeps the saltiness roughly "
                    "stable over long periods.",
                ),
            ),
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
        r"\bleaf\b|\bleaves\b|\bgrass\b|\bplants?\b",
        (
            "Leaves are a plant's solar panels: thin and flat to catch as much light as possible, "
            "they use it to make food through photosynthesis. Tiny pores called stomata, mostly "
            "on the underside, let carbon dioxide in and water vapour and oxygen out.",
            "They look green because of chlorophyll, the pigment that captures the light: it "
            "absorbs mostly red and blue light and reflects green back to our eyes.",
        ),
        why=(
            (
                r"\b(?:change|turn|autumn|fall|red|yellow|orange)\b",
                (
                    "In autumn, trees in cooler climates get ready for winter and stop making "
                    "chlorophyll. As the green pigment breaks down, the yellow and orange "
                    "carotenoids that were in the leaves all along start to show.",
                    "Some trees, such as many maples, also make red and purple pigments called "
                    "anthocyanins in autumn. Sunny days and cool nights make the colours especially "
                    "bright, and eventually the tree seals off each leaf and lets it fall.",
                ),
            ),
            (
                r"\bgreen\b",
                (
                    "Plants look green because of chlorophyll, the pigment they use for "
                    "photosynthesis. It absorbs red and blue light strongly, using that energy to "
                    "make sugar, and reflects much of the green light, so green is what reaches "
                    "our eyes.",
                    "Other pigments are there too, such as yellow and orange carotenoids, but there "
                    "is usually so much chlorophyll that it masks them until autumn.",
                ),
            ),
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
        why=((r".", ()),),
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
        r"\bseasons?\b",
        (
            "Earth has seasons because its axis is tilted by about 23.5 degrees relative to its "
            "orbit around the Sun. As Earth orbits, first one hemisphere and then the other leans "
            "towards the Sun.",
            "The hemisphere tilted towards the Sun gets higher sunshine and longer days, so it has "
            "summer, while the other has winter. That's why the seasons are reversed between the "
            "northern and southern hemispheres.",
            "It isn't about distance: Earth is actually closest to the Sun in early January, "
            "during the northern winter.",
        ),
        why=((r".", ()),),
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
    TopicNotes(
        r"\bdeserts?\b",
        (
            "A desert is a region that receives very little precipitation, usually less than "
            "about 250 millimetres a year. Deserts cover roughly a third of Earth's land surface, "
            "and not all of them are hot: Antarctica is the largest desert of all.",
            "Hot deserts like the Sahara can swing from scorching days to cold nights, because "
            "dry air and clear skies let heat escape quickly. Plants and animals survive by "
            "storing water, being active at night or lying dormant until the rare rain arrives.",
        ),
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
    chosen: list[TopicNotes] = []
    for _pos, _order, notes in found:
        # "night sky" also matches "sky": keep only the first of overlapping topics.
        if notes.pattern == r"\bsky\b|\bsunsets?\b" and any(
            "night sky" in n.pattern for n in chosen
        ):
            continue
        chosen.append(notes)
    return chosen[:limit]
