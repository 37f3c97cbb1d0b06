"""Word pools and English texts of mixed sentiment for the data generator."""

from __future__ import annotations

import unicodedata

__all__ = [
    "NAME_PREFIXES", "NAME_NOUNS", "LEGAL_SUFFIXES", "TLDS", "SUBDOMAINS", "FREEMAIL_DOMAINS",
    "FIRST_NAMES", "LAST_NAMES", "ACTIVITY_TYPES", "ACTIVITY_SUBJECTS", "NOTE_TEXTS", "ascii_slug",
]

NAME_PREFIXES = (
    "Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne",
    "Soylent", "Hooli", "Vandelay", "Pied Piper", "Aperture", "Oscorp", "Wonka", "Gringotts",
    "Blue Sun", "Monarch", "Nakatomi", "Dunder", "Sirius", "Massive", "Virtucon", "Gekko",
    "Bluth", "Sterling", "Prestige", "Zenith", "Nimbus", "Aurora", "Polaris", "Helios", "Kestrel",
    "Lumen", "Quantum", "Vertex", "Summit", "Harbor", "Cobalt", "Evergreen", "Ironwood", "Silverline",
    "Redwood", "Brightwater", "Falcon", "Orion", "Nordic", "Baltic", "Alpine",
)
NAME_NOUNS = (
    "Logistics", "Analytics", "Foods", "Robotics", "Labs", "Systems", "Health", "Energy", "Media",
    "Capital", "Software", "Dynamics", "Networks", "Solutions", "Industries", "Studios", "Partners",
    "Holdings", "Ventures", "Consulting", "Retail", "Motors", "Pharma", "Security", "Cloud",
    "Finance", "Insurance", "Telecom", "Travel", "Education",
)
LEGAL_SUFFIXES = ("Inc", "Ltd", "GmbH", "LLC", "AB", "Oy", "SA", "", "", "")
TLDS = (".com", ".com", ".com", ".io", ".co.uk", ".de", ".se", ".fi", ".net", ".eu")
SUBDOMAINS = ("eu", "us", "mail", "uk", "corp")
FREEMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "gmx.de", "proton.me")

FIRST_NAMES = (
    "Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Kaia",
    "Liam", "Maria", "Noah", "Olivia", "Pedro", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor",
    "Wen", "Ximena", "Yusuf", "Zoë", "Jürgen", "Åsa", "Chloé", "Søren", "Mika", "Priya", "Kofi",
    "Lena", "Mateo", "Aino", "Oskar", "Ines", "Raj", "Sofia",
)
LAST_NAMES = (
    "Smith", "Johnson", "Müller", "García", "Kowalski", "Nguyen", "Tanaka", "Silva", "Andersson",
    "Virtanen", "O'Brien", "Rossi", "Dubois", "Novák", "Papadopoulos", "Kim", "Okafor", "Patel",
    "Schmidt", "Jensen", "Tamm", "Ivanova", "Costa", "Fischer", "Lindqvist", "Walker", "Hughes",
    "Moreau", "Bauer", "Mäkinen",
)

ACTIVITY_TYPES = ("call", "meeting", "email", "task", "deadline", "lunch")
ACTIVITY_SUBJECTS = {
    "positive": (
        "Renewal kickoff — customer keen to expand", "Celebrate go-live with the team",
        "QBR: great adoption numbers", "Upsell discussion, very promising",
    ),
    "negative": (
        "Escalation: repeated outages", "Churn risk review", "Complaint about invoice errors",
        "Cancellation request follow-up",
    ),
    "neutral": (
        "Quarterly check-in", "Send updated contract", "Intro call with new stakeholder",
        "Product demo", "Follow up on questionnaire",
    ),
}
NOTE_TEXTS = {
    "positive": (
        "The customer is delighted with the new dashboard and praised our support team.",
        "Great meeting! They love the product and want to roll it out to two more teams.",
        "Excellent feedback from the champion; renewal looks very likely.",
        "They were happy with the quick fix and thanked us for the fantastic onboarding.",
    ),
    "negative": (
        "The customer is frustrated with slow responses and is considering other vendors.",
        "Terrible week: the integration broke twice and they are angry about the downtime.",
        "They complained that the pricing is too high and the reports are useless to them.",
        "Unhappy with support; they threatened to cancel if the bug is not fixed soon.",
    ),
    "neutral": (
        "Discussed the roadmap for next quarter and agreed on a follow-up date.",
        "Sent the updated contract draft for review by their legal team.",
        "Call notes: they use the product in three regions; no open questions.",
        "Scheduled a training session for the new administrators.",
    ),
}


_TRANSLIT = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "ł": "l"})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (``Zoë O'Brien`` -> ``zoeobrien``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())
