"""Units of measure, in one table: the name the catalog stores each under, how texts write it, and
what a value in it states.

Three readers share it:
- `rag.textutil.numbers` reads "(30, day)" out of "30 days", so the grounding check can tell a
  claimed "2 kg" from the evidence's "2 lb" (`canonical`);
- the attribute conditions of a listing (rag.understand.constraints) read "under 3 kilos" as
  a bound on the attribute stored in "kg" (`spellings`);
- the asked-attribute check (rag.understand.asked_attribute) reads "3500 mAh" as stating a
  battery's capacity, and "24 h" as not stating one (`states`).

Money and percentages are no units of measure; rag.textutil reads them itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """`name`: as a catalog stores it ("kg", "h", "°c", "persons"); `spellings`: how texts
    write it, lower case, the name among them; `states`: the words of what a value in it states
    ("weight", "heavy"), none when a value says too little on its own ("2 years")."""

    name: str
    spellings: frozenset[str]
    states: frozenset[str]


_LENGTH = "size big length long wide width height high tall deep depth thick thickness diameter reach"
_WEIGHT = "weight heavy light"
_VOLUME = "volume capacity hold holds size"
_DURATION = "life long last lasts runtime time"
_CHARGE = "capacity battery charge energy"
_FREQUENCY = "frequency speed clock"
_MEMORY = "memory storage space capacity"
_TEMPERATURE = "temperature warm warmth cold"
_SPEED = "speed fast"


def _unit(name: str, spellings: str, states: str = "") -> Unit:
    return Unit(name, frozenset({name, *spellings.split()}), frozenset(states.split()))


UNITS_OF_MEASURE: tuple[Unit, ...] = (
    # length
    _unit("in", 'inch inches "', _LENGTH),
    _unit("ft", "foot feet", _LENGTH),
    _unit("mm", "millimeter millimeters millimetre millimetres", _LENGTH),
    _unit("cm", "centimeter centimeters centimetre centimetres", _LENGTH),
    _unit("m", "meter meters metre metres", _LENGTH),
    _unit("yd", "yard yards", _LENGTH),
    # weight
    _unit("kg", "kgs kilo kilos kilogram kilograms", _WEIGHT),
    _unit("g", "gram grams", _WEIGHT),
    _unit("lb", "lbs pound pounds", _WEIGHT),
    _unit("oz", "ounce ounces", _WEIGHT),
    # volume
    _unit("l", "liter liters litre litres", _VOLUME),
    _unit("ml", "milliliter milliliters millilitre millilitres", _VOLUME),
    _unit("gal", "gallon gallons", _VOLUME),
    _unit("qt", "quart quarts", _VOLUME),
    _unit("cup", "cups", _VOLUME),
    # power, charge, voltage
    _unit("w", "watt watts", "power"),
    _unit("kw", "kilowatt kilowatts", "power"),
    _unit("mah", "", _CHARGE),
    _unit("wh", "", _CHARGE),
    _unit("v", "volt volts", "voltage"),
    # time: hours and minutes state how long something lasts; days to years are terms
    _unit("h", "hr hrs hour hours", _DURATION),
    _unit("min", "mins minute minutes", _DURATION),
    _unit("day", "days"),
    _unit("week", "weeks"),
    _unit("month", "months"),
    _unit("year", "years yr yrs"),
    # resolution, frequency, memory
    _unit("mp", "megapixel megapixels", "resolution camera"),
    _unit("hz", "", _FREQUENCY),
    _unit("khz", "", _FREQUENCY),
    _unit("mhz", "", _FREQUENCY),
    _unit("ghz", "", _FREQUENCY),
    _unit("kb", "", _MEMORY),
    _unit("mb", "", _MEMORY),
    _unit("gb", "gig gigs gigabyte gigabytes", _MEMORY),
    _unit("tb", "terabyte terabytes", _MEMORY),
    # temperature, speed, people
    _unit("°c", "c degree degrees celsius centigrade", _TEMPERATURE),
    _unit("°f", "f fahrenheit", _TEMPERATURE),
    _unit("mph", "", _SPEED),
    _unit("kph", "", _SPEED),
    _unit("rpm", "", _SPEED),
    _unit("persons", "person people sleeper sleepers p", "capacity people person sleeps"),
)

_BY_SPELLING: dict[str, Unit] = {s: u for u in UNITS_OF_MEASURE for s in u.spellings}


def unit_written(word: str) -> Unit | None:
    """The unit a written word stands for ("kilos" -> kg, "°C" -> °c), if any."""
    return _BY_SPELLING.get(word.lower())


def canonical(word: str) -> str | None:
    """The stored name of the unit a written word stands for ("hours" -> "h"), if any."""
    unit = unit_written(word)
    return unit.name if unit else None


def spellings(stored: str) -> frozenset[str]:
    """How texts write the unit a catalog stores as `stored` ("kg" or "kilograms" alike); just
    `stored` for a unit not in the table."""
    unit = unit_written(stored)
    return unit.spellings if unit is not None else frozenset({stored.lower()})


# One unit of each measure in its measure's base unit (metre, kilogram, litre): what a value in
# one reads in another ("1.77 kg" is 3.9 lb). Temperatures convert by `convert` itself.
_IN_BASE: dict[str, tuple[str, float]] = {
    "mm": ("m", 0.001), "cm": ("m", 0.01), "m": ("m", 1.0), "in": ("m", 0.0254), "ft": ("m", 0.3048),
    "yd": ("m", 0.9144),
    "g": ("kg", 0.001), "kg": ("kg", 1.0), "oz": ("kg", 0.028349523125), "lb": ("kg", 0.45359237),
    "ml": ("l", 0.001), "l": ("l", 1.0), "cup": ("l", 0.2365882365), "qt": ("l", 0.946352946),
    "gal": ("l", 3.785411784),
}


def convert(value: float, unit: str, to: str) -> float | None:
    """`value` in `unit` read in `to` (stored unit names: "kg", "lb", "°c"), or None when the two
    measure different things (or either is no unit of the table)."""
    if unit == to:
        return value
    if {unit, to} == {"°c", "°f"}:
        return value * 9 / 5 + 32 if to == "°f" else (value - 32) * 5 / 9
    a, b = _IN_BASE.get(unit), _IN_BASE.get(to)
    if a is None or b is None or a[0] != b[0]:
        return None
    return value * a[1] / b[1]


def shown(value: float) -> str:
    """How a converted value is written: one decimal under 100 ("3.9"), whole from 100 ("254"),
    no trailing ".0"."""
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
