"""Philadelphia: the demo city. Names only; nothing here is personal data."""

CITY = {"name": "Philadelphia", "timezone_name": "America/New_York", "service_name": "Philly311"}

NEIGHBORHOODS = [
    "Bella Vista",
    "Brewerytown",
    "Chestnut Hill",
    "Center City",
    "East Falls",
    "Fairhill",
    "Fishtown",
    "Francisville",
    "Frankford",
    "Germantown",
    "Grays Ferry",
    "Haddington",
    "Hunting Park",
    "Kensington",
    "Logan",
    "Manayunk",
    "Mantua",
    "Mayfair",
    "Mount Airy",
    "Nicetown-Tioga",
    "Northern Liberties",
    "Olney",
    "Overbrook",
    "Point Breeze",
    "Port Richmond",
    "Roxborough",
    "Southwest Philadelphia",
    "Strawberry Mansion",
    "West Oak Lane",
    "Wynnefield",
]

TOPICS: list[dict[str, str]] = [
    {
        "slug": "311-neighborhood-liaison-program",
        "name": "311 Neighborhood Liaison Program",
        "default_hashtag": "#Philly311NLP",
        "owning_team": "Philly311",
        "description": (
            "The 311 Neighborhood Liaison Program trains residents to be part of the 311 "
            "non-emergency team: they learn how city services work, help neighbors report "
            "problems, and bring what they hear back to the city."
        ),
    },
    {
        "slug": "phillyrising",
        "name": "PhillyRising",
        "default_hashtag": "#PhillyRising",
        "owning_team": "Managing Director's Office",
        "description": (
            "PhillyRising works with neighborhoods facing chronic crime and quality-of-life "
            "problems, bringing city agencies and residents together to act on what "
            "neighbors say matters most."
        ),
    },
]
