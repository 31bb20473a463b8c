"""A deterministic, realistic demo store: the catalog the README's main command, the tests and
the benchmarks ingest.

Same `seed` and `products` give a byte-identical catalog (one `random.Random`, no set or hash
ordering). The store has a category hierarchy, ~40 brands, attributes per category with units,
accessory / compatibility / variant links, and policies at every scope whose facts differ by
level (e.g. returns: 30 days globally, 15 days for laptops, 60 days for one brand, final sale for
one product), so that precedence can be checked against known answers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Callable

from ingest.models import (
    FAQ,
    Availability,
    Brand,
    Catalog,
    Category,
    Policy,
    Product,
    Scope,
    no_cyclic_gc,
)

CURRENCY = "USD"

# (id, name, parent)
CATEGORIES: list[tuple[str, str, str | None]] = [
    ("electronics", "Electronics", None),
    ("headphones", "Headphones", "electronics"),
    ("laptops", "Laptops", "electronics"),
    ("phones", "Phones", "electronics"),
    ("chargers-cables", "Chargers & Cables", "electronics"),
    ("phone-cases", "Phone Cases", "electronics"),
    ("smartwatches", "Smartwatches", "electronics"),
    ("home", "Home", None),
    ("kitchen", "Kitchen", "home"),
    ("coffee-makers", "Coffee Makers", "kitchen"),
    ("blenders", "Blenders", "kitchen"),
    ("outdoor", "Outdoor", None),
    ("tents", "Tents", "outdoor"),
    ("backpacks", "Backpacks", "outdoor"),
    ("sleeping-bags", "Sleeping Bags", "outdoor"),
]

# Other words shoppers use for a category (Category.aliases): "a gift for someone who likes
# camping" is about Outdoor, "earbuds" are Headphones.
CATEGORY_ALIASES: dict[str, list[str]] = {
    "electronics": ["tech", "gadgets"],
    "headphones": ["earbuds", "earphones", "headset"],
    "laptops": ["notebook", "computer"],
    "phones": ["smartphone", "cell phone", "cellphone"],
    "smartwatches": ["smart watch", "watch", "fitness tracker"],
    "kitchen": ["cooking", "cookware"],
    "coffee-makers": ["coffee machine", "espresso machine"],
    "blenders": ["smoothie maker", "smoothie"],
    "outdoor": ["camping", "hiking", "outdoors"],
    "backpacks": ["rucksack"],
}

# Leaf categories that products are drawn into, with their relative share.
LEAF_WEIGHTS: list[tuple[str, int]] = [
    ("headphones", 12),
    ("laptops", 8),
    ("phones", 10),
    ("chargers-cables", 14),
    ("phone-cases", 12),
    ("smartwatches", 6),
    ("coffee-makers", 8),
    ("blenders", 6),
    ("tents", 8),
    ("backpacks", 10),
    ("sleeping-bags", 6),
]

# (id, name, leaf categories it sells in, one-line description)
BRANDS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("aurora-audio", "Aurora Audio", ("headphones",), "Studio-grade headphones since 1998."),
    ("sonique", "Sonique", ("headphones", "smartwatches"), "Wireless audio and wearables."),
    ("bassline", "Bassline", ("headphones",), "Headphones tuned for deep bass."),
    ("quietude", "Quietude", ("headphones",), "Noise-cancelling specialists."),
    ("vireo", "Vireo", ("headphones", "chargers-cables"), "Everyday audio and power."),
    ("lumen-computing", "Lumen Computing", ("laptops",), "Thin and light laptops."),
    ("kestrel", "Kestrel", ("laptops", "phones"), "Performance laptops and phones."),
    ("orbis", "Orbis", ("laptops",), "Business laptops built to last."),
    ("nimbus-tech", "Nimbus Tech", ("laptops", "smartwatches"), "Cloud-first devices."),
    ("pixelon", "Pixelon", ("phones",), "Camera-first smartphones."),
    ("veltro", "Veltro", ("phones", "smartwatches"), "Smartphones and watches."),
    ("arcadia-mobile", "Arcadia Mobile", ("phones",), "Affordable smartphones."),
    ("zenfone-labs", "Zenfone Labs", ("phones",), "Compact flagship phones."),
    ("voltix", "Voltix", ("chargers-cables",), "Fast chargers and cables."),
    ("ampere-co", "Ampere & Co", ("chargers-cables",), "Power accessories."),
    ("cablecraft", "CableCraft", ("chargers-cables",), "Braided cables that last."),
    ("juicebox", "JuiceBox", ("chargers-cables",), "Chargers for every device."),
    ("shellguard", "ShellGuard", ("phone-cases",), "Rugged phone protection."),
    ("casemate-studio", "Casemate Studio", ("phone-cases",), "Designer phone cases."),
    ("armorline", "Armorline", ("phone-cases",), "Military-grade drop protection."),
    ("slimskin", "SlimSkin", ("phone-cases",), "Ultra-thin cases."),
    ("tempo-wear", "Tempo Wear", ("smartwatches",), "Fitness smartwatches."),
    ("chronos", "Chronos", ("smartwatches",), "Classic looks, smart inside."),
    ("brewmaster", "Brewmaster", ("coffee-makers",), "Coffee makers for home baristas."),
    ("crema", "Crema", ("coffee-makers",), "Espresso machines."),
    ("morning-ritual", "Morning Ritual", ("coffee-makers", "blenders"), "Breakfast appliances."),
    ("kettleworks", "Kettleworks", ("coffee-makers",), "Drip and pour-over brewers."),
    ("vortex-kitchen", "Vortex Kitchen", ("blenders",), "High-power blenders."),
    ("nutrimix", "NutriMix", ("blenders",), "Personal blenders."),
    ("pulsepro", "PulsePro", ("blenders",), "Professional blenders."),
    ("summit-gear", "Summit Gear", ("tents", "backpacks"), "Alpine equipment."),
    ("trailhead", "Trailhead", ("tents", "backpacks", "sleeping-bags"), "Gear for the trail."),
    ("northpeak", "Northpeak", ("tents", "sleeping-bags"), "Four-season shelters."),
    ("wildroam", "Wildroam", ("backpacks",), "Travel and hiking packs."),
    ("cedar-outfitters", "Cedar Outfitters", ("tents", "backpacks"), "Family camping gear."),
    ("glacier", "Glacier", ("sleeping-bags",), "Down sleeping bags."),
    ("ridgeline", "Ridgeline", ("backpacks", "sleeping-bags"), "Ultralight packs and bags."),
    ("campfire-co", "Campfire Co", ("tents", "sleeping-bags"), "Camping made easy."),
    ("urban-pack", "Urban Pack", ("backpacks",), "Commuter backpacks."),
    ("daybreak", "Daybreak", ("coffee-makers", "smartwatches"), "Start your day right."),
]

COLORS = ["black", "white", "silver", "navy blue", "forest green", "red", "graphite", "sand"]
CONNECTORS = ["USB-C", "Lightning", "Micro-USB"]


@dataclass
class _Spec:
    """How products of one leaf category look: title noun, price range, attribute makers."""

    noun: str
    lines: list[str]
    price: tuple[float, float]
    attrs: Callable[[random.Random], dict[str, tuple[list[str], str | None]]]
    sentences: Callable[[dict[str, tuple[list[str], str | None]]], list[str]]


def _v(a: dict, key: str) -> str:
    return ", ".join(a[key][0])


def _headphones(r: random.Random) -> dict:
    kind = r.choice(["over-ear", "on-ear", "in-ear"])
    return {
        "type": ([kind], None),
        "battery_life": ([str(r.choice([8, 12, 20, 24, 30, 40, 50, 60]))], "h"),
        "weight": ([str(r.randint(4, 9) if kind == "in-ear" else r.randint(160, 340))], "g"),
        "noise_cancelling": ([r.choice(["yes", "no"])], None),
        "connectivity": (r.sample(["Bluetooth 5.3", "USB-C", "3.5 mm jack"], r.randint(1, 3)), None),
        "driver_size": ([str(r.choice([6, 10, 12, 40, 50]))], "mm"),
        "color": ([r.choice(COLORS)], None),
    }


def _headphone_text(a: dict) -> list[str]:
    nc = "Active noise cancelling blocks out the commute." if _v(a, "noise_cancelling") == "yes" else (
        "A passive seal keeps the sound in without noise cancelling.")
    return [
        f"These {_v(a, 'type')} headphones play for up to {_v(a, 'battery_life')} hours per charge "
        f"and weigh {_v(a, 'weight')} g.",
        nc,
        f"Connects via {_v(a, 'connectivity')}; {_v(a, 'driver_size')} mm drivers.",
    ]


def _laptop(r: random.Random) -> dict:
    return {
        "screen_size": ([r.choice(["13.3", "14", "15.6", "16", "17.3"])], "in"),
        "processor": ([r.choice(["8-core 3.2 GHz", "10-core 3.6 GHz", "12-core 4.0 GHz", "6-core 2.8 GHz"])], None),
        "ram": ([str(r.choice([8, 16, 32, 64]))], "GB"),
        "storage": ([str(r.choice([256, 512, 1024, 2048]))], "GB"),
        "battery_life": ([str(r.choice([6, 8, 10, 12, 15, 18, 22]))], "h"),
        "weight": ([f"{r.uniform(1.0, 2.8):.2f}"], "kg"),
        "operating_system": ([r.choice(["Windows 11", "Linux", "ChromeOS"])], None),
        "charging_port": (["USB-C"], None),
        "color": ([r.choice(COLORS[:3] + ["graphite"])], None),
    }


def _laptop_text(a: dict) -> list[str]:
    return [
        f"A {_v(a, 'screen_size')}-inch laptop with a {_v(a, 'processor')} processor, "
        f"{_v(a, 'ram')} GB of RAM and {_v(a, 'storage')} GB of storage.",
        f"Up to {_v(a, 'battery_life')} hours of battery life; weighs {_v(a, 'weight')} kg.",
        f"Ships with {_v(a, 'operating_system')} and charges over USB-C.",
    ]


def _phone(r: random.Random) -> dict:
    return {
        "screen_size": ([r.choice(["5.8", "6.1", "6.4", "6.7", "6.9"])], "in"),
        "storage": ([str(r.choice([64, 128, 256, 512]))], "GB"),
        "battery_capacity": ([str(r.choice([3000, 3500, 4000, 4500, 5000, 6000]))], "mAh"),
        "main_camera": ([str(r.choice([12, 48, 50, 64, 108, 200]))], "MP"),
        "charging_port": ([r.choices(CONNECTORS, weights=[7, 3, 1])[0]], None),
        "network": ([r.choice(["5G", "4G LTE"])], None),
        "weight": ([str(r.randint(140, 240))], "g"),
        "color": ([r.choice(COLORS)], None),
    }


def _phone_text(a: dict) -> list[str]:
    return [
        f"A {_v(a, 'screen_size')}-inch {_v(a, 'network')} smartphone with {_v(a, 'storage')} GB of storage.",
        f"The {_v(a, 'battery_capacity')} mAh battery charges through the {_v(a, 'charging_port')} port.",
        f"{_v(a, 'main_camera')} MP main camera; weighs {_v(a, 'weight')} g.",
    ]


def _charger(r: random.Random) -> dict:
    kind = r.choice(["wall charger", "charging cable", "car charger", "power bank"])
    a = {
        "type": ([kind], None),
        "connector": ([r.choices(CONNECTORS, weights=[7, 3, 1])[0]], None),
        "wattage": ([str(r.choice([12, 18, 20, 30, 45, 65, 100]))], "W"),
        "color": ([r.choice(COLORS[:3])], None),
    }
    if kind == "charging cable":
        a["length"] = ([r.choice(["0.5", "1", "1.5", "2", "3"])], "m")
    if kind == "power bank":
        a["capacity"] = ([str(r.choice([5000, 10000, 20000, 26800]))], "mAh")
    return a


def _charger_text(a: dict) -> list[str]:
    out = [f"A {_v(a, 'wattage')} W {_v(a, 'type')} with a {_v(a, 'connector')} connector."]
    if "length" in a:
        out.append(f"The cable is {_v(a, 'length')} m long.")
    if "capacity" in a:
        out.append(f"Stores {_v(a, 'capacity')} mAh, enough for several phone charges.")
    out.append(f"Finished in {_v(a, 'color')}.")
    return out


def _case(r: random.Random) -> dict:
    return {
        "material": ([r.choice(["silicone", "polycarbonate", "leather", "TPU", "aramid fiber"])], None),
        "drop_protection": ([str(r.choice([1.2, 1.8, 2.4, 3.0, 4.0]))], "m"),
        "wireless_charging_compatible": ([r.choice(["yes", "no"])], None),
        "color": ([r.choice(COLORS)], None),
    }


def _case_text(a: dict) -> list[str]:
    wc = "works with" if _v(a, "wireless_charging_compatible") == "yes" else "does not support"
    return [
        f"A {_v(a, 'material')} case tested for drops from {_v(a, 'drop_protection')} m.",
        f"The case {wc} wireless charging.",
        f"Color: {_v(a, 'color')}.",
    ]


def _watch(r: random.Random) -> dict:
    return {
        "battery_life": ([str(r.choice([24, 36, 48, 72, 120, 336]))], "h"),
        "water_resistance": ([str(r.choice([30, 50, 100]))], "m"),
        "case_size": ([str(r.choice([38, 41, 42, 44, 45, 46]))], "mm"),
        "sensors": (r.sample(["heart rate", "SpO2", "GPS", "ECG", "temperature"], r.randint(2, 4)), None),
        "weight": ([str(r.randint(28, 62))], "g"),
        "color": ([r.choice(COLORS)], None),
    }


def _watch_text(a: dict) -> list[str]:
    return [
        f"A {_v(a, 'case_size')} mm smartwatch with up to {_v(a, 'battery_life')} hours of battery life.",
        f"Water resistant to {_v(a, 'water_resistance')} m; sensors: {_v(a, 'sensors')}.",
        f"Weighs {_v(a, 'weight')} g.",
    ]


def _coffee(r: random.Random) -> dict:
    return {
        "type": ([r.choice(["drip", "espresso", "pod", "pour-over", "cold brew"])], None),
        "capacity": ([r.choice(["0.5", "1.2", "1.5", "1.8", "2.0"])], "L"),
        "wattage": ([str(r.choice([900, 1000, 1200, 1450, 1500]))], "W"),
        "material": ([r.choice(["stainless steel", "plastic", "glass"])], None),
        "programmable": ([r.choice(["yes", "no"])], None),
        "color": ([r.choice(COLORS[:4])], None),
    }


def _coffee_text(a: dict) -> list[str]:
    prog = "A programmable timer has coffee ready when you wake." if _v(a, "programmable") == "yes" else (
        "Simple controls, no timer.")
    return [
        f"A {_v(a, 'type')} coffee maker with a {_v(a, 'capacity')} L reservoir and a {_v(a, 'wattage')} W heater.",
        f"Built from {_v(a, 'material')}.",
        prog,
    ]


def _blender(r: random.Random) -> dict:
    return {
        "wattage": ([str(r.choice([300, 600, 900, 1200, 1500, 2200]))], "W"),
        "capacity": ([r.choice(["0.6", "1.0", "1.5", "2.0"])], "L"),
        "speeds": ([str(r.choice([2, 3, 5, 10]))], None),
        "jar_material": ([r.choice(["BPA-free plastic", "glass", "Tritan"])], None),
        "color": ([r.choice(COLORS[:4])], None),
    }


def _blender_text(a: dict) -> list[str]:
    return [
        f"A {_v(a, 'wattage')} W blender with a {_v(a, 'capacity')} L {_v(a, 'jar_material')} jar.",
        f"{_v(a, 'speeds')} speed settings crush ice and frozen fruit.",
    ]


def _tent(r: random.Random) -> dict:
    return {
        "capacity": ([str(r.choice([1, 2, 3, 4, 6, 8]))], "persons"),
        "season": ([r.choice(["3-season", "4-season"])], None),
        "weight": ([f"{r.uniform(1.1, 9.5):.1f}"], "kg"),
        "packed_size": ([f"{r.randint(35, 70)} x {r.randint(14, 25)}"], "cm"),
        "material": ([r.choice(["polyester", "ripstop nylon", "silnylon", "canvas"])], None),
        "waterproof_rating": ([str(r.choice([1500, 2000, 3000, 5000]))], "mm"),
    }


def _tent_text(a: dict) -> list[str]:
    return [
        f"A {_v(a, 'season')} tent that sleeps {_v(a, 'capacity')} and weighs {_v(a, 'weight')} kg.",
        f"The {_v(a, 'material')} fly is rated to {_v(a, 'waterproof_rating')} mm.",
        f"Packs down to {_v(a, 'packed_size')} cm.",
    ]


def _backpack(r: random.Random) -> dict:
    return {
        "capacity": ([str(r.choice([18, 22, 28, 35, 45, 55, 65]))], "L"),
        "weight": ([str(r.randint(450, 2100))], "g"),
        "material": ([r.choice(["nylon", "polyester", "Dyneema", "canvas"])], None),
        "waterproof": ([r.choice(["yes", "no"])], None),
        "laptop_sleeve": ([r.choice(["yes", "no"])], None),
        "color": ([r.choice(COLORS)], None),
    }


def _backpack_text(a: dict) -> list[str]:
    sleeve = "Has a padded laptop sleeve." if _v(a, "laptop_sleeve") == "yes" else "No laptop sleeve."
    wp = "waterproof" if _v(a, "waterproof") == "yes" else "water-resistant (not waterproof)"
    return [
        f"A {_v(a, 'capacity')} L backpack in {_v(a, 'material')} weighing {_v(a, 'weight')} g.",
        f"The fabric is {wp}.",
        sleeve,
    ]


def _sleeping_bag(r: random.Random) -> dict:
    return {
        "temperature_rating": ([str(r.choice([-18, -9, -7, -1, 4, 10]))], "°C"),
        "fill": ([r.choice(["duck down", "goose down", "synthetic"])], None),
        "weight": ([str(r.randint(600, 2400))], "g"),
        "length": ([str(r.choice([183, 198, 213]))], "cm"),
        "shape": ([r.choice(["mummy", "rectangular", "semi-rectangular"])], None),
    }


def _sleeping_bag_text(a: dict) -> list[str]:
    return [
        f"A {_v(a, 'shape')} sleeping bag rated to {_v(a, 'temperature_rating')} °C.",
        f"{_v(a, 'fill').capitalize()} fill, {_v(a, 'length')} cm long, weighs {_v(a, 'weight')} g.",
    ]


SPECS: dict[str, _Spec] = {
    "headphones": _Spec("Wireless Headphones", ["Pulse", "Echo", "Aria", "Nova", "Halo"], (29, 399), _headphones, _headphone_text),
    "laptops": _Spec("Laptop", ["Air", "Pro", "Book", "Flex", "Studio"], (449, 2999), _laptop, _laptop_text),
    "phones": _Spec("Smartphone", ["One", "Edge", "Lite", "Max", "Mini"], (149, 1299), _phone, _phone_text),
    "chargers-cables": _Spec("Charger", ["Boost", "Surge", "Flow", "Dash"], (9, 89), _charger, _charger_text),
    "phone-cases": _Spec("Phone Case", ["Shield", "Grip", "Clear", "Tough"], (12, 69), _case, _case_text),
    "smartwatches": _Spec("Smartwatch", ["Fit", "Run", "Classic", "Active"], (79, 599), _watch, _watch_text),
    "coffee-makers": _Spec("Coffee Maker", ["Barista", "Brew", "Drip", "Roast"], (39, 899), _coffee, _coffee_text),
    "blenders": _Spec("Blender", ["Whirl", "Smoothie", "Crush", "Blend"], (29, 499), _blender, _blender_text),
    "tents": _Spec("Tent", ["Basecamp", "Trail", "Alpine", "Meadow"], (79, 899), _tent, _tent_text),
    "backpacks": _Spec("Backpack", ["Trek", "Daypack", "Commute", "Expedition"], (39, 349), _backpack, _backpack_text),
    "sleeping-bags": _Spec("Sleeping Bag", ["Cocoon", "Ember", "Polar", "Drift"], (49, 599), _sleeping_bag, _sleeping_bag_text),
}

_AVAILABILITY = [Availability.in_stock, Availability.out_of_stock, Availability.preorder, Availability.discontinued]
_AVAILABILITY_WEIGHTS = [80, 10, 5, 5]


def product_id(i: int) -> str:
    return f"p{i:06d}"


def generate_demo_store(products: int = 1000, seed: int = 0) -> Catalog:
    """Build the demo catalog. Deterministic in (`products`, `seed`); scales linearly."""
    if products < 0:
        raise ValueError(f"products must be >= 0, got {products}")
    with no_cyclic_gc():
        return _generate(products, seed)


def _generate(products: int, seed: int) -> Catalog:
    r = random.Random(seed)
    brands = [Brand(id=b, name=n, description=d) for b, n, _, d in BRANDS]
    categories = [Category(id=c, name=n, parent=p, aliases=CATEGORY_ALIASES.get(c, [])) for c, n, p in CATEGORIES]
    brands_by_leaf: dict[str, list[tuple[str, str]]] = {leaf: [] for leaf, _ in LEAF_WEIGHTS}
    for bid, name, leaves, _ in BRANDS:
        for leaf in leaves:
            brands_by_leaf[leaf].append((bid, name))
    leaves = [leaf for leaf, _ in LEAF_WEIGHTS]
    weights = [w for _, w in LEAF_WEIGHTS]

    # Pass 1: category of every product, so links can point forward and backward.
    leaf_of = r.choices(leaves, weights=weights, k=products)
    # The first products cover every leaf, so small stores still have every kind of link.
    for i, leaf in enumerate(leaves[: min(products, len(leaves))]):
        leaf_of[i] = leaf
    pool: dict[str, list[int]] = {leaf: [] for leaf in leaves}
    for i, leaf in enumerate(leaf_of):
        pool[leaf].append(i)
    port_of_phone: dict[int, str] = {}
    base_by_brand_leaf: dict[tuple[str, str], list[int]] = {}
    attrs_of: dict[int, dict] = {}  # base products only: variants copy them
    name_of: dict[int, tuple[str, str]] = {}  # product -> (model line, model number)

    out: list[Product] = []
    for i in range(products):
        leaf = leaf_of[i]
        spec = SPECS[leaf]
        bid, bname = r.choice(brands_by_leaf[leaf])
        relations: list[dict] = []
        bases = base_by_brand_leaf.setdefault((bid, leaf), [])
        if bases and "color" in attrs_of[bases[0]] and r.random() < 0.15:
            # A colour variant of an earlier product of the same brand and category.
            base = bases[r.randrange(len(bases))]
            attrs = {k: (list(v), u) for k, (v, u) in attrs_of[base].items()}
            attrs["color"] = ([r.choice([c for c in COLORS if c != attrs["color"][0][0]])], None)
            line, model = name_of[base]
            relations.append({"kind": "variant_of", "target": product_id(base)})
        else:
            attrs = spec.attrs(r)
            line, model = r.choice(spec.lines), str(r.randint(1, 99) * 10)
            bases.append(i)
            attrs_of[i] = attrs
            name_of[i] = (line, model)
        if leaf == "phones":
            port_of_phone[i] = attrs["charging_port"][0][0]

        color = attrs["color"][0][0] if "color" in attrs else None
        title = f"{bname} {line} {model} {spec.noun}" + (f", {color.title()}" if color else "")
        relations += _links(r, i, leaf, attrs, pool, port_of_phone)
        low, high = spec.price
        price = round(r.uniform(low, high)) - 0.01
        description = f"{bname} {line} {model}: " + " ".join(spec.sentences(attrs))
        out.append(
            Product(
                id=product_id(i),
                title=title,
                description=description,
                sku=f"{bid[:3].upper()}-{leaf[:3].upper()}-{i:06d}",
                brand=bid,
                category=leaf,
                attributes=[{"key": k, "values": v, "unit": u} for k, (v, u) in attrs.items()],
                price=price,
                currency=CURRENCY,
                availability=r.choices(_AVAILABILITY, weights=_AVAILABILITY_WEIGHTS)[0],
                relations=relations,
            )
        )
    policies = _policies(products)
    faqs = _faqs(products)
    return Catalog(brands=brands, categories=categories, products=out, policies=policies, faqs=faqs)


def _links(r: random.Random, i: int, leaf: str, attrs: dict, pool: dict, port_of_phone: dict) -> list[dict]:
    """Accessory and compatibility links, chosen from products of the target category."""
    rels: list[dict] = []

    def pick(target_leaf: str, k: int) -> list[int]:
        candidates = pool[target_leaf]
        if not candidates:
            return []
        chosen = {candidates[r.randrange(len(candidates))] for _ in range(k)}
        return sorted(c for c in chosen if c != i)

    if leaf == "phone-cases":
        rels += [{"kind": "accessory_for", "target": product_id(t)} for t in pick("phones", 1)]
    elif leaf == "chargers-cables":
        port = attrs["connector"][0][0]
        # Compatible with phones (earlier in the id order, so their port is known) on the same port,
        # and, for USB-C, with laptops too.
        phones = [p for p in pick("phones", 6) if port_of_phone.get(p) == port]
        rels += [{"kind": "compatible_with", "target": product_id(t)} for t in phones[:3]]
        if port == "USB-C":
            rels += [{"kind": "compatible_with", "target": product_id(t)} for t in pick("laptops", 1)]
        rels += [{"kind": "accessory_for", "target": product_id(t)} for t in phones[:1]]
    elif leaf == "headphones":
        rels += [{"kind": "compatible_with", "target": product_id(t)} for t in pick("phones", 1)]
    elif leaf == "smartwatches":
        rels += [{"kind": "compatible_with", "target": product_id(t)} for t in pick("phones", 2)]
    elif leaf == "sleeping-bags":
        rels += [{"kind": "compatible_with", "target": product_id(t)} for t in pick("tents", 1)]
    return rels


def _policy(pid: str, kind: str, title: str, body: str, scope: Scope = Scope.global_,
            target: str | None = None, version: int = 1, effective: str = "2025-01-01") -> Policy:
    return Policy(id=pid, kind=kind, title=title, body=body, scope=scope, target=target,
                  version=version, effective_date=date.fromisoformat(effective))


#: Facts the demo's policies state, by (kind, scope, target): tests and evaluation check
#: answers against them. The product-scoped targets are the first products (p000000, p000001).
POLICY_FACTS: dict[tuple[str, str, str | None], str] = {
    ("returns", "global", None): "30-day returns",
    ("returns", "category", "laptops"): "15-day returns",
    ("returns", "category", "phones"): "14-day returns",
    ("returns", "brand", "northpeak"): "60-day returns",
    ("returns", "product", "p000001"): "final sale, no returns",
    ("warranty", "global", None): "1-year warranty",
    ("warranty", "category", "electronics"): "2-year warranty",
    ("warranty", "category", "coffee-makers"): "3-year warranty",
    ("warranty", "brand", "orbis"): "5-year warranty",
    ("warranty", "brand", "aurora-audio"): "3-year warranty",
    ("warranty", "product", "p000000"): "4-year warranty",
    ("shipping", "global", None): "free standard shipping on orders over $50",
    ("shipping", "category", "outdoor"): "5-7 business days",
    ("shipping", "brand", "crema"): "ships within 10 business days",
    ("payment", "global", None): "Visa, Mastercard, American Express, PayPal",
    ("payment", "category", "laptops"): "12 monthly installments",
    ("privacy", "global", None): "never sell your personal data",
}


def _policies(n_products: int) -> list[Policy]:
    g = Scope.global_
    ps = [
        _policy("returns-global", "returns", "Returns and refunds",
                "## Returns and refunds\n\nWe offer **30-day returns**: you can return most items "
                "within 30 days of delivery for a full refund to the original payment method. Items must be "
                "unused and in their original packaging. Return shipping is free for defective items; "
                "otherwise a $6.95 return label is deducted from the refund.\n\n"
                "- Refunds are issued within 5 business days of receiving the return.\n"
                "- Gift cards and downloadable software cannot be returned.", g, version=3, effective="2025-03-01"),
        _policy("warranty-global", "warranty", "Warranty",
                "## Warranty\n\nEvery product comes with a **1-year warranty** against manufacturing defects, starting on the delivery date. The "
                "warranty does not cover accidental damage, water damage or normal wear.", g, version=2),
        _policy("shipping-global", "shipping", "Shipping",
                "## Shipping\n\nWe offer free standard shipping on orders over $50 (3-5 business "
                "days). Orders under $50 ship for $5.99. Express shipping (1-2 business days) "
                "costs $14.99. We ship to the United States and Canada only.", g),
        _policy("payment-global", "payment", "Payment methods",
                "## Payment methods\n\nWe accept Visa, Mastercard, American Express, PayPal and "
                "store gift cards. Cards are charged when the order ships. We do not accept "
                "cash on delivery or checks.", g),
        _policy("privacy-global", "privacy", "Privacy",
                "## Privacy\n\nWe collect only the data needed to process and deliver your order "
                "and we never sell your personal data. You can ask us to delete your account "
                "data at any time; we do so within 30 days.", g, effective="2024-06-01"),
        # Category-scoped overrides.
        _policy("returns-laptops", "returns", "Laptop returns",
                "## Laptop returns\n\nLaptops have **15-day returns**: they can be returned "
                "within 15 days of delivery. Opened laptops carry a 10% restocking fee; unopened laptops "
                "are refunded in full.", Scope.category, "laptops", version=2),
        _policy("returns-phones", "returns", "Phone returns",
                "## Phone returns\n\nPhones have **14-day returns**: they can be returned "
                "within 14 days of delivery, factory reset and with all accessories.", Scope.category, "phones"),
        _policy("warranty-electronics", "warranty", "Electronics warranty",
                "## Electronics warranty\n\nAll electronics carry a **2-year warranty** "
                "covering defects in materials and workmanship. "
                "Batteries are covered for 1 year.", Scope.category, "electronics"),
        _policy("warranty-coffee-makers", "warranty", "Coffee maker warranty",
                "## Coffee maker warranty\n\nCoffee makers have a **3-year warranty** on the heating element and pump. Descaling damage is not covered.",
                Scope.category, "coffee-makers"),
        _policy("shipping-outdoor", "shipping", "Shipping for outdoor gear",
                "## Shipping for outdoor gear\n\nTents, backpacks and sleeping bags ship from our "
                "outdoor warehouse in 5-7 business days. Free shipping applies to orders over "
                "$75 for outdoor gear.", Scope.category, "outdoor"),
        _policy("payment-laptops", "payment", "Laptop financing",
                "## Laptop financing\n\nLaptops can be paid in **12 monthly installments** "
                "at 0% APR with approved credit, in addition to the usual "
                "payment methods.", Scope.category, "laptops"),
        # Brand-scoped overrides.
        _policy("returns-northpeak", "returns", "Northpeak returns",
                "## Northpeak returns\n\nNorthpeak products come with **60-day returns**, "
                "even after use on a trip.", Scope.brand, "northpeak"),
        _policy("warranty-orbis", "warranty", "Orbis warranty",
                "## Orbis warranty\n\nOrbis laptops come with a **5-year warranty** including on-site repair.", Scope.brand, "orbis"),
        _policy("warranty-aurora-audio", "warranty", "Aurora Audio warranty",
                "## Aurora Audio warranty\n\nAurora Audio headphones carry a **3-year warranty**, "
                "ear cushions excluded.", Scope.brand, "aurora-audio"),
        _policy("shipping-crema", "shipping", "Crema shipping",
                "## Crema shipping\n\nCrema espresso machines ship directly from the maker: "
                "each order ships within 10 business days.", Scope.brand, "crema"),
    ]
    # Product-scoped overrides on the first products, when the store has them.
    if n_products > 0:
        ps.append(_policy("warranty-p000000", "warranty", "Extended warranty",
                          "## Extended warranty\n\nThis product includes a **4-year warranty** "
                          "from the maker.", Scope.product, product_id(0)))
    if n_products > 1:
        ps.append(_policy("returns-p000001", "returns", "Final sale",
                          "## Final sale\n\nThis product is sold as **final sale, no returns** "
                          "and no exchanges.", Scope.product, product_id(1)))
    return ps


def _faqs(n_products: int) -> list[FAQ]:
    fs = [
        FAQ(id="faq-track-order", question="How do I track my order?",
            answer="Use the tracking link in your shipping confirmation email, or sign in and open Orders."),
        FAQ(id="faq-gift-cards", question="Do you sell gift cards?",
            answer="Yes, digital gift cards from $10 to $500. They never expire."),
        FAQ(id="faq-price-match", question="Do you price match?",
            answer="We match the price of authorized US retailers within 14 days of purchase."),
        FAQ(id="faq-international", question="Do you ship internationally?",
            answer="We ship to the United States and Canada only."),
        FAQ(id="faq-laptop-charger", question="Do laptops come with a charger?", scope=Scope.category,
            target="laptops", answer="Yes, every laptop ships with a USB-C charger in the box."),
        FAQ(id="faq-tent-setup", question="Can tents be returned after a camping trip?", scope=Scope.category,
            target="tents", answer="Only if unused, unless the brand's policy allows returns after use."),
        FAQ(id="faq-headphones-hygiene", question="Can I return in-ear headphones?", scope=Scope.category,
            target="headphones", answer="Yes, if the ear tips are unopened and sealed."),
        FAQ(id="faq-northpeak-repair", question="Does Northpeak repair tents?", scope=Scope.brand,
            target="northpeak", answer="Yes, Northpeak repairs its tents for free for the first 3 years."),
        FAQ(id="faq-orbis-support", question="How do I reach Orbis support?", scope=Scope.brand,
            target="orbis", answer="Call Orbis at 1-800-555-0199, weekdays 8am-8pm ET."),
        FAQ(id="faq-crema-descale", question="How often should I descale a Crema machine?",
            scope=Scope.brand, target="crema", answer="Every 2 months, or when the descale light turns on."),
    ]
    if n_products > 0:
        fs.append(FAQ(id="faq-p000000-box", question="What is in the box?", scope=Scope.product,
                      target=product_id(0), answer="The product, a quick start guide and a USB-C cable."))
    return fs
