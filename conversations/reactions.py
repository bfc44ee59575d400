"""Tapbacks: an iPhone or Android reaction to one of our texts ('Liked "..."', 'Le gustó "..."').

The quoted words are ours, not the borrower's: a reaction is never an answer, a keyword or an
opt-out, even when the text it quotes ends "Reply HELP for help, STOP to opt out"."""

import re

_QUOTE = "\"'\u201c\u201d\u2018\u2019\u00ab\u201e"
REACTION = re.compile(
    r"^\s*(liked|loved|laughed at|emphasi[sz]ed|disliked|questioned|removed an? \w+ from|reacted .{1,12}? to|"
    r"le gust[oó]|le encant[oó]|se ri[oó] de|enfatiz[oó]|no le gust[oó]|cuestion[oó]|reaccion[oó] .{1,12}? a|"
    r"(?:quit[oó]|elimin[oó]) .{1,20}? de)"
    rf"\s*[{_QUOTE}].*$"
    # A reaction to a picture quotes nothing: "Liked an image", "Le encantó una imagen".
    r"|^\s*(liked|loved|laughed at|emphasi[sz]ed|disliked|questioned|le gust[oó]|le encant[oó]) "
    r"(an? |una |un )?(image|photo|picture|video|movie|attachment|sticker|imagen|foto|video)\W*$",
    re.IGNORECASE | re.DOTALL,
)


def is_reaction(text: str) -> bool:
    return bool(REACTION.match(text or ""))
