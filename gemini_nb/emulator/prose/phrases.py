"""Phrasings the emulated model chooses from. Each pool has at least eight entries where
candidates must differ (``candidateCount`` up to 8 gives eight distinct openings).
"""

from __future__ import annotations

__all__ = ["EN", "LOCALIZED", "STYLE_WRAP"]

EN: dict[str, tuple[str, ...]] = {
    "greeting": (
        "Hello! How can I help you today?",
        "Hi there! What can I do for you?",
        "Hey! What would you like to talk about?",
        "Hello! I'm here to help. What's on your mind?",
        "Hi! How can I assist you today?",
        "Greetings! What would you like to explore today?",
        "Hello there! Ask me anything.",
        "Hi! Good to hear from you. What can I help with?",
    ),
    "greeting_new_name": (
        "Nice to meet you, {name}! How can I help you today?",
        "Hi {name}, it's great to meet you! What can I do for you?",
        "Hello, {name}! Lovely to meet you. What would you like to talk about?",
        "Welcome, {name}! How can I help?",
        "Great to meet you, {name}! What's on your mind?",
        "Hi {name}! Nice to meet you. How can I assist you today?",
        "Hello {name}, pleased to meet you! What can I help with?",
        "Nice to meet you, {name}! Ask me anything.",
    ),
    "explain_lead": (
        "Here's a quick overview of **{topic}**.",
        "Good question! **{topic}** is easier to understand once you break it into a few parts.",
        "In short, **{topic}** comes down to a handful of core ideas.",
        "Let's unpack **{topic}**.",
        "**{topic}** is a topic with a few key pieces worth knowing.",
        "Sure! Here's how I'd explain **{topic}**.",
        "At its heart, **{topic}** is about how a few ideas fit together.",
        "Happy to explain **{topic}**.",
    ),
    "explain_body": (
        "When people talk about {topic}, they usually mean {focus}: what it is, how it works, and why it matters.",
        "The main thing to understand is {focus}; once that clicks, the rest of {topic} follows naturally.",
        "A good way in is to look at {focus}, then see how that shapes {topic} in practice.",
        "Most explanations of {topic} start with {focus} and build up from there.",
    ),
    "closer": (
        "Would you like me to go deeper into any of these points?",
        "Let me know if you'd like an example.",
        "Want me to expand on any part of this?",
        "I can also walk through a concrete example if that helps.",
        "Feel free to ask a follow-up question!",
        "Happy to go into more detail on any of these.",
        "Would a short example make this clearer?",
        "Let me know which part you'd like to explore next.",
    ),
    "arithmetic": (
        "{expr} = **{result}**",
        "{expr} equals **{result}**.",
        "The answer is **{result}**.\n\n{expr} = {result}",
        "**{result}**: that's {expr}.",
        "Sure! {expr} = **{result}**.",
        "{expr} works out to **{result}**.",
        "Calculating {expr} gives **{result}**.",
        "The result of {expr} is **{result}**.",
    ),
    "capital": (
        "The capital of {country} is **{capital}**.",
        "**{capital}** is the capital of {country}.",
        "{country}'s capital is **{capital}**.",
        "The capital city of {country} is **{capital}**.",
        "That would be **{capital}**, the capital of {country}.",
        "{country} has **{capital}** as its capital.",
        "It's **{capital}**: the capital of {country}.",
        "The seat of government of {country} is its capital, **{capital}**.",
    ),
    "list_lead": (
        "Here are {n} {noun} for **{topic}**:",
        "Sure! Here are {n} {noun} to get you started with **{topic}**:",
        "Here are {n} {noun} worth considering for **{topic}**:",
        "Good question! These {n} {noun} cover the essentials of **{topic}**:",
        "Here's a short list of {n} {noun} for **{topic}**:",
        "Try these {n} {noun} for **{topic}**:",
        "{n} {noun} for **{topic}**, in rough order of importance:",
        "Here are {n} practical {noun} for **{topic}**:",
    ),
    "category_lead": (
        "Here are {n} {plural}:",
        "Sure! Here are {n} {plural}:",
        "Here's a list of {n} {plural}:",
        "Here you go: {n} {plural}:",
        "These are {n} well-known {plural}:",
        "Here are {n} examples of {plural}:",
        "Okay! {n} {plural}:",
        "Here are {n} {plural} for you:",
    ),
    "compare_lead": (
        "**{a}** and **{b}** have a lot in common, but they differ in a few important ways.",
        "Comparing **{a}** with **{b}** comes down to what you need them for.",
        "**{a}** and **{b}** overlap, yet each has its own strengths.",
        "Here's how **{a}** and **{b}** stack up.",
        "Good comparison! **{a}** and **{b}** suit different situations.",
        "**{a}** vs. **{b}**: here are the main differences.",
        "The short version: **{a}** and **{b}** solve similar problems in different ways.",
        "Let's compare **{a}** and **{b}** side by side.",
    ),
    "reasons_lead": (
        "Here are {n} benefits of **{topic}**:",
        "**{topic}** has a lot going for it. Here are {n} benefits:",
        "Good question! {n} benefits of **{topic}** stand out:",
        "Here are {n} reasons people value **{topic}**:",
        "These are {n} of the main benefits of **{topic}**:",
        "Sure! {n} benefits of **{topic}**:",
        "Here's a short list of {n} benefits of **{topic}**:",
        "**{topic}** offers several benefits. Here are {n}:",
    ),
    "drawbacks_lead": (
        "Here are {n} drawbacks of **{topic}** to keep in mind:",
        "**{topic}** isn't perfect. {n} common drawbacks:",
        "Good question! {n} downsides of **{topic}**:",
        "Here are {n} things to watch out for with **{topic}**:",
    ),
    "suggestions_lead": (
        "Here are {n} suggestions for **{topic}**:",
        "Sure! A few directions to explore for **{topic}**:",
        "Here are {n} good starting points for **{topic}**:",
        "Good idea! {n} suggestions for **{topic}**:",
    ),
    "thanks": (
        "You're welcome! Let me know if there's anything else I can help with.",
        "Happy to help! Anything else on your mind?",
        "Anytime! Feel free to ask if you have more questions.",
        "My pleasure! Is there anything else you'd like to know?",
        "You're very welcome!",
        "Glad I could help! Just ask if something else comes up.",
        "No problem at all! What else can I do for you?",
        "You're welcome! Have a great day.",
    ),
    "feeling": (
        "I'm sorry you're feeling {feeling} today. That can be really hard.",
        "That sounds tough. I'm sorry you're feeling {feeling}.",
        "I'm sorry to hear you're feeling {feeling}. You're not alone in that.",
        "Feeling {feeling} is hard, and it's okay to say so.",
    ),
    "yes": (
        "Yes, in most cases.",
        "Generally, yes.",
        "Yes! With a couple of caveats.",
        "Short answer: yes.",
    ),
    "no": (
        "Not necessarily.",
        "Usually not, although there are exceptions.",
        "No, not in general.",
        "Short answer: no, though it depends on the details.",
    ),
    "depends": (
        "It depends on the situation.",
        "That depends on what you're after.",
        "There's no single answer; it depends.",
        "It can go either way, depending on the context.",
    ),
    "generic_lead": (
        "Thanks for sharing that! Here are a few thoughts on **{topic}**.",
        "Got it: you're talking about **{topic}**.",
        "Interesting! Let's look at **{topic}**.",
        "Sure. Here's my take on **{topic}**.",
        "Noted! A few thoughts about **{topic}**.",
        "Okay! Let's think about **{topic}** together.",
        "Here's what comes to mind about **{topic}**.",
        "Good point about **{topic}**.",
    ),
    "code_lead": (
        "Here's a small Python function that {does}:",
        "Sure! This Python snippet {does}:",
        "Here's a compact Python example that {does}:",
        "You can do this in a few lines of Python. The snippet below {does}:",
        "Here's one way to write it in Python. It {does}:",
        "This short Python program {does}:",
        "Here's a clean, runnable example that {does}:",
        "A simple Python solution that {does}:",
    ),
    "media_note": (
        "I can tell you its format and size, but in this local emulator I can't look at what it contains.",
        "The local emulator reads its format and size only, not its contents.",
        "(Running in the local emulator, I only see the file's type and size, not its contents.)",
        "Since this is the local emulator, I can describe the file's format but not what it shows.",
    ),
}

# Prefix and suffix for playful personas from the system instruction.
STYLE_WRAP: dict[str, tuple[str, str]] = {
    "pirate": ("Arr, matey! ", " Yo-ho-ho!"),
    "cat": ("Meow! ", " *purrs*"),
    "captain": ("Ahoy there! ", " Fair winds and following seas!"),
}

LOCALIZED: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "explain": (
            "Voici un bref aperçu de **{topic}**. L'essentiel est de comprendre les idées clés ({keywords}) et la façon dont elles s'articulent.",
        ),
        "closer": (
            "N'hésitez pas si vous avez d'autres questions !",
            "Voulez-vous que je développe un point ?",
        ),
    },
}
