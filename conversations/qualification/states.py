"""Which state the property is in: "TX", "in texas", "tejas", "houston", "flordia"."""

import difflib
import re

from conversations.qualification.normalize import strip_accents
from leads.choices import US_STATES

NAMES = {name.lower(): code for code, name in US_STATES.items()}
NAMES.update({
    "tejas": "TX", "nueva york": "NY", "nuevo mexico": "NM", "nueva jersey": "NJ",
    "carolina del norte": "NC", "carolina del sur": "SC", "pensilvania": "PA", "luisiana": "LA",
    "hawai": "HI", "misuri": "MO", "misisipi": "MS", "virginia occidental": "WV",
    "dakota del norte": "ND", "dakota del sur": "SD", "washington dc": "DC", "d.c.": "DC",
    "cali": "CA", "socal": "CA", "norcal": "CA", "jersey": "NJ", "mass": "MA", "penn": "PA",
    "carolina norte": "NC", "the district": "DC",
})  # fmt: skip
CITIES = {
    "houston": "TX", "dallas": "TX", "austin": "TX", "san antonio": "TX", "fort worth": "TX",
    "el paso": "TX", "arlington tx": "TX", "plano": "TX", "frisco": "TX", "mcallen": "TX",
    "miami": "FL", "orlando": "FL", "tampa": "FL", "jacksonville": "FL", "fort lauderdale": "FL",
    "atlanta": "GA", "savannah": "GA", "phoenix": "AZ", "tucson": "AZ", "scottsdale": "AZ",
    "mesa az": "AZ", "los angeles": "CA", "san diego": "CA", "san jose": "CA", "sacramento": "CA",
    "san francisco": "CA", "fresno": "CA", "chicago": "IL", "denver": "CO", "colorado springs": "CO",
    "seattle": "WA", "tacoma": "WA", "las vegas": "NV", "vegas": "NV", "reno": "NV", "nashville": "TN",
    "memphis": "TN", "knoxville": "TN", "charlotte": "NC", "raleigh": "NC", "durham": "NC",
    "boston": "MA", "philadelphia": "PA", "philly": "PA", "pittsburgh": "PA", "detroit": "MI",
    "cleveland": "OH", "cincinnati": "OH", "nyc": "NY", "brooklyn": "NY", "queens": "NY",
    "the bronx": "NY", "manhattan": "NY", "long island": "NY", "newark": "NJ", "baltimore": "MD",
    "oklahoma city": "OK", "okc": "OK", "tulsa": "OK", "albuquerque": "NM", "boise": "ID",
    "salt lake": "UT", "st louis": "MO", "saint louis": "MO", "minneapolis": "MN", "milwaukee": "WI",
    "indianapolis": "IN", "louisville": "KY", "new orleans": "LA", "baton rouge": "LA",
    "birmingham al": "AL", "omaha": "NE", "des moines": "IA", "little rock": "AR", "honolulu": "HI",
    "anchorage": "AK", "richmond va": "VA", "virginia beach": "VA", "charleston sc": "SC",
    "columbia sc": "SC", "myrtle beach": "SC", "spokane": "WA", "bakersfield": "CA",
    # More of the largest cities and what people call them; a name two states share (Springfield,
    # Portland ME, Arlington VA, Charleston WV, Columbus GA) only with its state, above or here.
    "nola": "LA", "the bay": "CA", "bay area": "CA", "oakland": "CA", "long beach": "CA", "anaheim": "CA",
    "riverside": "CA", "santa ana": "CA", "irvine": "CA", "stockton": "CA", "modesto": "CA",
    "chula vista": "CA", "san bernardino": "CA", "inland empire": "CA", "oxnard": "CA", "fremont": "CA",
    "st pete": "FL", "st. pete": "FL", "saint petersburg": "FL", "st petersburg": "FL", "hialeah": "FL",
    "tallahassee": "FL", "gainesville fl": "FL", "fort myers": "FL", "naples fl": "FL", "sarasota": "FL",
    "boca raton": "FL", "west palm": "FL", "palm beach": "FL", "kissimmee": "FL", "pensacola": "FL",
    "clearwater": "FL", "port st lucie": "FL", "cape coral": "FL", "daytona": "FL", "ocala": "FL",
    "atl": "GA", "augusta ga": "GA", "macon": "GA", "h-town": "TX", "htown": "TX", "corpus christi": "TX",
    "lubbock": "TX", "laredo": "TX", "irving": "TX", "garland": "TX", "amarillo": "TX", "brownsville": "TX",
    "killeen": "TX", "round rock": "TX", "the woodlands": "TX", "katy": "TX", "sugar land": "TX",
    "dfw": "TX", "waco": "TX", "midland tx": "TX", "odessa tx": "TX", "mckinney": "TX", "denton": "TX",
    "columbus": "OH", "toledo": "OH", "akron": "OH", "dayton": "OH", "chi-town": "IL", "chitown": "IL",
    "naperville": "IL", "rockford": "IL", "joliet": "IL", "grand rapids": "MI", "lansing": "MI",
    "ann arbor": "MI", "flint": "MI", "kansas city": "MO", "kc": "MO", "stl": "MO", "wichita": "KS",
    "overland park": "KS", "topeka": "KS", "lincoln ne": "NE", "sioux falls": "SD", "fargo": "ND",
    "st paul": "MN", "saint paul": "MN", "madison wi": "WI", "green bay": "WI", "fort wayne": "IN",
    "lexington ky": "KY", "chattanooga": "TN", "murfreesboro": "TN", "clarksville": "TN",
    "greensboro": "NC", "winston salem": "NC", "winston-salem": "NC", "asheville": "NC", "cary": "NC",
    "fayetteville nc": "NC", "wilmington nc": "NC", "high point": "NC", "jersey city": "NJ",
    "paterson": "NJ", "trenton": "NJ", "buffalo": "NY", "rochester": "NY", "syracuse": "NY",
    "albany ny": "NY", "yonkers": "NY", "staten island": "NY", "the bronx ny": "NY", "allentown": "PA",
    "harrisburg": "PA", "scranton": "PA", "erie pa": "PA", "providence": "RI", "hartford": "CT",
    "new haven": "CT", "stamford": "CT", "worcester": "MA", "springfield ma": "MA", "cambridge ma": "MA",
    "norfolk": "VA", "chesapeake": "VA", "alexandria va": "VA", "roanoke": "VA", "nova": "VA",
    "northern virginia": "VA", "dmv": "DC", "annapolis": "MD", "silver spring": "MD", "rockville": "MD",
    "wilmington de": "DE", "dover de": "DE", "burlington vt": "VT", "manchester nh": "NH",
    "portland": "OR", "salem or": "OR", "eugene": "OR", "bend or": "OR", "vancouver wa": "WA",
    "bellevue": "WA", "everett": "WA", "olympia": "WA", "henderson nv": "NV", "north las vegas": "NV",
    "chandler": "AZ", "gilbert": "AZ", "glendale az": "AZ", "tempe": "AZ", "peoria az": "AZ",
    "flagstaff": "AZ", "yuma": "AZ", "aurora co": "CO", "fort collins": "CO", "boulder": "CO",
    "pueblo": "CO", "provo": "UT", "ogden": "UT", "st george": "UT", "salt lake city": "UT", "slc": "UT",
    "las cruces": "NM", "santa fe": "NM", "billings": "MT", "missoula": "MT", "cheyenne": "WY",
    "anchorage ak": "AK", "huntsville": "AL", "mobile al": "AL", "montgomery": "AL", "tuscaloosa": "AL",
    "jackson ms": "MS", "gulfport": "MS", "shreveport": "LA", "lafayette la": "LA", "lake charles": "LA",
    "fayetteville ar": "AR", "bentonville": "AR", "norman ok": "OK", "broken arrow": "OK",
    "knoxville tn": "TN", "greenville sc": "SC", "rock hill": "SC", "spartanburg": "SC",
}  # fmt: skip
# Codes that are also ordinary words ("ok", "in", "me"): only in capitals, or after "in"/"to".
AMBIGUOUS_CODES = {"IN", "ME", "OR", "OK", "HI", "OH", "AS", "DE", "LA", "PA", "CO", "ID", "MA", "AL", "MI", "GA", "VA", "MO", "NE", "SC", "GU", "MP", "VI"}  # fmt: skip
# Of those, the ones a borrower types for another reason even when asked for the state ("ok", "hi").
WORD_CODES = {"IN", "ME", "OR", "OK", "HI", "OH", "AS", "LA"}
# "ga", "its pa", "in mi": a code typed alone as the answer to "which state?".
_ONLY_A_CODE = re.compile(r"^\W*(?:(?:it'?s|its|in|yes|yeah|yep|the)\s+){0,2}[a-z]{2}\W*$", re.IGNORECASE)
_CODES = [c for c in US_STATES]
_PLACES = sorted({**NAMES, **CITIES}, key=len, reverse=True)
_PLACE_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PLACES) + r")\b")
_CODE_RE = re.compile(r"(?<![\w'])(" + "|".join(_CODES) + r")(?![\w'])", re.IGNORECASE)
_LOAN_AFTER = re.compile(
    r"\s*(loan|mortgage|home loan|benefit|eligib|approv|streamline|irrrl|prestamo)", re.IGNORECASE
)
_DESTINATION_BEFORE = re.compile(
    r"\b(in|to|into|en|near|state|state of|estado|moving to|relocating to|out in|over in)\s*$"
)
# "buying, 2 months, tx": a code that is a clause of its own.
_STANDS_ALONE = re.compile(r"^\s*([,.;!]|$)")
_STANDS_ALONE_BEFORE = re.compile(r"(^|[,;]|\band)\s*$")
_ORIGIN_BEFORE = re.compile(r"\b(from|de|leaving|out of|desde)\s*$")


def _place_mentions(text: str) -> list[tuple[int, str, str]]:
    """(position, code, the words before it) for each state or city named in full."""
    # "west virginia" must not also count as "virginia": the regex prefers longer names.
    return [(m.start(), {**NAMES, **CITIES}[m.group(1)], text[: m.start()]) for m in _PLACE_RE.finditer(text)]


def _code_counts(code: str, raw: str, start: int, end: int, *, asked: bool, shouting: bool) -> bool:
    """Whether a two-letter code in the text names a state: "TX", "in nc", "buying, tx"."""
    before, after = raw[:start].lower(), raw[end:]
    if _LOAN_AFTER.match(after):
        return False  # "a VA loan" is a loan type, not Virginia
    if asked and code.upper() not in WORD_CODES and _ONLY_A_CODE.match(raw):
        return True  # "ga", "its pa": typed alone as the answer to "which state?"
    capitals = code.isupper() and not shouting
    after_preposition = bool(_DESTINATION_BEFORE.search(before) or _ORIGIN_BEFORE.search(before))
    if code.upper() == "VA":
        return after_preposition  # "VA" alone is the loan more often than Virginia
    answer = asked and len(raw.split()) <= 3
    own_clause = bool(_STANDS_ALONE.match(after) and _STANDS_ALONE_BEFORE.search(before))
    if code.upper() in AMBIGUOUS_CODES:
        return capitals and (after_preposition or answer or own_clause)
    return capitals or after_preposition or answer or own_clause


def _code_mentions(raw: str, asked: bool) -> list[tuple[int, str, str]]:
    shouting = raw.upper() == raw and len(raw.split()) > 3
    return [
        (m.start(), m.group(1).upper(), raw[: m.start()])
        for m in _CODE_RE.finditer(raw)
        if _code_counts(m.group(1), raw, m.start(), m.end(), asked=asked, shouting=shouting)
    ]


# Only the states' own names are matched loosely: a nickname ("socal") is too close to words.
_OFFICIAL_NAMES = {name.lower(): code for code, name in US_STATES.items()}


def _fuzzy_name(text: str) -> str | None:
    """A misspelt state name, only when we asked for the state: "flordia", "tennesee"."""
    for word in re.findall(r"[a-z]{5,}(?: [a-z]{4,})?", text):
        match = difflib.get_close_matches(word, list(_OFFICIAL_NAMES), n=1, cutoff=0.8)
        if match:
            return _OFFICIAL_NAMES[match[0]]
    return None


# Where the borrower is, or comes from, is not where the property is: only a hint to confirm.
_RESIDENCE_BEFORE = re.compile(
    r"\b(i'?m|im|i am|we'?re|we are|i live|we live|living|live|based|here|currently|vivo|vivimos|estoy|"
    r"estamos|located)( \w+)?\s+(in|en|at|near)\s*$"
)
# "this is Virginia", "soy Georgia": a name, not a state.
_NAME_BEFORE = re.compile(r"\b(this is|i'?m|im|i am|soy|my name is|me llamo|habla|it'?s)\s*$")
# "not Kansas", "Texas, not Oklahoma": the state the borrower rules out.
_DENIED_BEFORE = re.compile(r"\b(not|no|isn'?t|nope|instead of|rather than|ni)\s*(in\s+|en\s+)?$")


def _kind(before: str, *, asked: bool) -> str:
    """How a mention relates to the property: denied, name, origin, residence or destination."""
    before = before.lower()
    if _DENIED_BEFORE.search(before):
        return "denied"
    if _ORIGIN_BEFORE.search(before):
        return "origin"
    if _RESIDENCE_BEFORE.search(before):
        return "residence"
    if _NAME_BEFORE.search(before) and not asked:
        return "name"
    return "destination"


def parse_state(raw: str, text: str, *, asked: bool) -> tuple[str, bool] | None:
    """(state code, implied) for the state the borrower names, or None.

    A destination ("moving to Texas", "house in Dallas", "florida" as an answer) is stated; a
    home town or where they are now ("this is Maria from Houston", "I'm in Denver") is only
    implied. `raw` is the text as typed (capitals tell "OK" from "ok"), `text` the normalized one."""
    mentions = _place_mentions(text) + _code_mentions(strip_accents(raw), asked)
    if not mentions:
        fuzzy = _fuzzy_name(text) if asked else None
        return (fuzzy, False) if fuzzy else None
    kinds = [(position, code, _kind(before, asked=asked)) for position, code, before in mentions]
    stated = [(p, c) for p, c, kind in kinds if kind == "destination"]
    if stated:
        return max(stated)[1], False
    hints = [(p, c) for p, c, kind in kinds if kind in ("origin", "residence")]
    return (max(hints)[1], True) if hints else None
