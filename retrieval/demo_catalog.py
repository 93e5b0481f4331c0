"""The embedded demo catalog: about 700 invented products over 15 top-level categories.

It lets shopassist run, be tested and be demonstrated without downloading any data. The products are
generated from the tables below with a fixed-seed `random.Random`, so every call on every machine returns
the same list, and ids ("sku-00042") stay stable for as long as the tables do.
"""

from __future__ import annotations

import random
from typing import NamedTuple

# Changing the seed (or the tables) reshuffles every product; tests and stored journeys rely on stable ids.
SEED = 20240607

APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("6", "7", "8", "9", "10", "11", "12", "13")
BED_SIZES = ("twin", "full", "queen", "king")
BABY_SIZES = ("0-3M", "3-6M", "6-12M", "12-18M", "18-24M")
PET_SIZES = ("S", "M", "L", "XL")

NEUTRALS = ["black", "white", "grey", "navy", "beige", "brown"]
BRIGHTS = ["blue", "red", "green", "pink", "purple", "yellow", "orange"]
METALS = ["gold", "silver"]
YES_NO = ["yes", "no"]
MOSTLY_YES = ["yes", "yes", "no"]
MOSTLY_NO = ["no", "no", "no", "yes"]

# The formatter would spread these tables over three times as many lines, one value per line.
# fmt: off

# Yes/no attributes are also spelled out in the description, so that "is it waterproof?" finds text too.
FLAG_PHRASES = {
    "waterproof": "waterproof", "water_resistant": "water resistant", "stretch": "stretch fabric",
    "hood": "adjustable hood", "pockets": "side pockets", "machine_washable": "machine washable",
    "dishwasher_safe": "dishwasher safe", "microwave_safe": "microwave safe", "oven_safe": "oven safe",
    "induction_compatible": "induction compatible", "nonstick": "nonstick coating",
    "noise_cancelling": "active noise cancelling", "wireless": "wireless", "wireless_charging": "wireless charging",
    "vegan": "vegan", "fragrance_free": "fragrance free", "sulfate_free": "sulfate free", "dimmable": "dimmable",
    "removable_covers": "removable, washable covers", "height_adjustable": "electric height adjustment",
    "lumbar_support": "adjustable lumbar support", "headboard": "matching headboard", "bpa_free": "BPA free",
    "leakproof": "leakproof lid", "non_slip": "non-slip", "tsa_lock": "TSA-approved lock",
    "hypoallergenic": "hypoallergenic", "drainage_hole": "drainage hole", "frost_resistant": "frost resistant",
    "rust_resistant": "rust resistant", "reflective": "reflective stitching", "lay_flat": "lay-flat binding",
    "refillable": "refillable", "one_hand_fold": "one-hand fold", "car_seat_compatible": "car seat compatible",
}


class Spec(NamedTuple):
    """How to make the products of one subcategory. Pitches are one-sentence templates over the brand,
    noun, color, material and attribute values; each product gets two of them."""

    noun: str
    brands: list[str]
    models: list[str] | dict[str, list[str]]  # a dict gives each brand its own model lines
    price: tuple[float, float, float]  # low, high, most common
    colors: list[str]
    materials: list[str]
    attrs: dict[str, list[str]]
    pitches: list[str]
    sizes: tuple[str, ...] = ()
    count: int = 13


CATALOG: dict[str, Spec] = {
    "Apparel > T-Shirts": Spec(
        "T-Shirt", ["Uniqlo", "Levi's", "Patagonia", "Larkspur", "Northline Apparel"],
        ["Classic Crew", "Pocket", "Slub V-Neck", "Heavyweight Boxy"], (9, 45, 18), NEUTRALS + BRIGHTS,
        ["cotton", "organic cotton", "cotton blend", "linen"],
        {"fit": ["regular", "slim", "relaxed", "loose"], "weight": ["140 gsm", "180 gsm", "220 gsm"],
         "machine_washable": ["yes"]},
        ["A {fit} fit tee cut from {weight} {material} that softens with every wash.",
         "Soft {material} jersey with a ribbed collar and double-stitched hems that hold their shape.",
         "An everyday layer in {color} that pairs with jeans or shorts.",
         "Pre-shrunk {material} keeps the fit true wash after wash."], sizes=APPAREL_SIZES),
    "Apparel > Jeans": Spec(
        "Jeans", ["Levi's", "Wrangler", "Lee", "Larkspur", "Denim Forge"],
        ["Slim Fit", "Straight Leg", "Relaxed Taper", "Bootcut"], (29, 129, 59),
        ["blue", "navy", "black", "grey", "white"], ["denim", "stretch denim", "organic cotton denim"],
        {"rise": ["low", "mid", "high"], "inseam": ["30 in", "32 in", "34 in"], "stretch": YES_NO},
        ["Cut from {material} with a {rise} rise and a {inseam} inseam.",
         "Five-pocket styling, a zip fly and a {color} wash that goes with everything.",
         "Reinforced rivets and bar-tacked seams for years of wear.",
         "A comfortable fit that keeps its shape from morning to night."], sizes=APPAREL_SIZES),
    "Apparel > Jackets": Spec(
        "Jacket", ["The North Face", "Columbia", "Patagonia", "Northline Apparel", "Ridgeway Outdoor"],
        ["Rain Shell", "Puffer", "Softshell", "Windbreaker"], (49, 349, 120),
        ["black", "navy", "green", "red", "grey", "blue", "yellow", "beige"],
        ["nylon", "polyester", "recycled polyester", "nylon ripstop"],
        {"weight": ["320 g", "450 g", "600 g"], "zip_pockets": ["2", "3", "4"], "hood": YES_NO,
         "waterproof": MOSTLY_YES},
        ["A {material} shell with taped seams and {zip_pockets} zip pockets, weighing just {weight}.",
         "Packs into its own pocket for travel and layers easily over a sweater.",
         "Adjustable cuffs and a drawcord hem seal out wind and cold.",
         "Finished in {color} with reflective details for low-light visibility."], sizes=APPAREL_SIZES),
    "Apparel > Dresses": Spec(
        "Dress", ["Mango", "H&M", "Larkspur", "Willow & Thread"], ["Wrap", "Slip", "Shirt", "Smocked", "Tiered"],
        (25, 180, 60), NEUTRALS + BRIGHTS, ["viscose", "linen", "cotton", "satin", "crepe"],
        {"length": ["mini", "midi", "maxi"], "sleeve": ["sleeveless", "short sleeve", "long sleeve"],
         "pockets": YES_NO},
        ["A flowing {length}-length dress in {material} with a flattering waist.",
         "A {sleeve} design that works from the office to evening plans.",
         "Lightweight {material} drapes beautifully and breathes on warm days.",
         "Fully lined bodice with a hidden side zip for easy dressing."], sizes=APPAREL_SIZES),
    "Apparel > Hoodies": Spec(
        "Hoodie", ["Champion", "Nike", "Adidas", "Northline Apparel", "Larkspur"],
        ["Fleece Pullover", "Zip-Up", "Heavyweight", "Tech Fleece"], (25, 110, 50),
        [*NEUTRALS, "green", "red", "blue", "pink", "purple"],
        ["cotton fleece", "cotton blend", "recycled polyester", "french terry"],
        {"fit": ["regular", "relaxed", "loose"], "weight": ["300 gsm", "350 gsm", "400 gsm"],
         "machine_washable": ["yes"]},
        ["Brushed {material} inside for warmth, in a {fit} fit.",
         "Lined hood with flat drawcords and ribbed cuffs that keep out the chill.",
         "Heavy {weight} fabric that holds its shape wash after wash.",
         "A front pocket big enough for a phone and cold hands."], sizes=APPAREL_SIZES),
    "Shoes > Running": Spec(
        "Running Shoe", ["Nike", "Adidas", "Asics", "Brooks", "New Balance", "Hoka", "Saucony", "Puma", "Mizuno"],
        {"Nike": ["Pegasus 41", "Vomero 18", "Invincible 3", "Revolution 7"],
         "Adidas": ["Ultraboost Light", "Adizero SL", "Supernova Rise", "Duramo Speed"],
         "Asics": ["Gel-Nimbus 25", "Gel-Kayano 31", "Novablast 4", "Gel-Contend 9"],
         "Brooks": ["Ghost 16", "Glycerin 21", "Adrenaline GTS 24", "Launch 10"],
         "New Balance": ["Fresh Foam X 1080", "FuelCell Rebel v4", "Fresh Foam 680", "Arishi v4"],
         "Hoka": ["Clifton 9", "Bondi 8", "Mach 6", "Arahi 7"],
         "Saucony": ["Ride 17", "Endorphin Speed 4", "Kinvara 15", "Guide 17"],
         "Puma": ["Velocity Nitro 3", "Deviate Nitro 3", "Electrify Nitro 3", "Softride Pro"],
         "Mizuno": ["Wave Rider 28", "Wave Inspire 20", "Neo Zen", "Wave Sky 8"]},
        (45, 220, 85), ["black", "white", "grey", "navy", "blue", "red", "pink", "orange", "green", "yellow"],
        ["mesh", "engineered knit", "recycled mesh"],
        {"weight": ["220 g", "245 g", "270 g", "295 g", "320 g"], "drop": ["4 mm", "6 mm", "8 mm", "10 mm", "12 mm"],
         "cushioning": ["light", "moderate", "max"], "surface": ["road", "road", "trail"], "waterproof": MOSTLY_NO},
        ["A breathable {material} upper with {cushioning} cushioning for daily {surface} miles.",
         "Weighs {weight}, with {drop} of heel-to-toe drop for a smooth, responsive ride.",
         "A durable rubber outsole grips wet and dry {surface} surfaces.",
         "Padded tongue and heel collar lock the foot in on long runs."], sizes=SHOE_SIZES, count=36),
    "Shoes > Sandals": Spec(
        "Sandal", ["Birkenstock", "Teva", "Havaianas", "Larkspur", "Coastline"],
        ["Two-Strap", "Slide", "Sport", "Cross-Strap"], (19, 140, 45),
        ["black", "brown", "beige", "white", "navy", "green", "pink"],
        ["leather", "suede", "eva foam", "rubber", "recycled polyester webbing"],
        {"footbed": ["contoured cork", "cushioned foam", "molded rubber"],
         "closure": ["buckle", "hook-and-loop", "slip-on"], "waterproof": YES_NO},
        ["A {footbed} footbed supports the arch all day.",
         "{material} straps with a {closure} closure for a secure, adjustable fit.",
         "Lightweight and quick-drying, made for beach days and city summers.",
         "A textured outsole adds grip on wet pool decks and pavements."], sizes=SHOE_SIZES),
    "Shoes > Boots": Spec(
        "Boot", ["Timberland", "Dr. Martens", "Blundstone", "Columbia", "Ridgeway Outdoor"],
        ["Chelsea", "Hiking", "Lace-Up Combat", "Winter Snow"], (69, 260, 140),
        ["black", "brown", "grey", "beige", "navy", "green"], ["leather", "suede", "nubuck", "waxed leather"],
        {"shaft_height": ["ankle", "mid-calf"], "lining": ["fleece", "shearling-style", "textile"],
         "weight": ["480 g", "560 g", "650 g"], "waterproof": MOSTLY_YES},
        ["A full-grain {material} upper with a {lining} lining for cold mornings.",
         "{shaft_height} height with a lugged rubber sole for grip on rough ground.",
         "Goodyear-welted construction, so the sole can be replaced.",
         "Each boot weighs about {weight}, light enough for all-day wear."], sizes=SHOE_SIZES),
    "Shoes > Sneakers": Spec(
        "Sneaker", ["Nike", "Adidas", "Converse", "Vans", "New Balance", "Puma"],
        ["Court Classic", "Low-Top", "Retro Runner", "Platform"], (39, 160, 75),
        [*NEUTRALS, "red", "green", "blue", "pink"], ["canvas", "leather", "suede", "synthetic leather"],
        {"sole": ["rubber cupsole", "vulcanized rubber", "foam"], "closure": ["lace-up", "slip-on"],
         "vegan": YES_NO},
        ["A timeless {material} upper on a {sole} sole.",
         "Cushioned insole and padded collar for all-day comfort.",
         "A clean {color} colorway that goes with jeans, shorts or chinos.",
         "A {closure} design finished with contrast stitching."], sizes=SHOE_SIZES),
    "Electronics > Headphones": Spec(
        "Wireless Headphones", ["Sony", "JBL", "Anker", "Sennheiser", "Kestrel Audio"],
        ["Quietline", "Pulse Sport", "Studio Pro", "Air Lite"], (20, 400, 110),
        ["black", "white", "silver", "navy", "blue", "pink", "beige"], ["plastic", "aluminium"],
        {"type": ["over-ear", "on-ear"], "battery_life": ["20 h", "30 h", "40 h", "60 h"],
         "bluetooth": ["5.0", "5.2", "5.3"], "wireless": ["yes"], "noise_cancelling": YES_NO},
        ["An {type} design with up to {battery_life} of playback on a single charge.",
         "Bluetooth {bluetooth} keeps the connection stable, and multipoint pairs two devices at once.",
         "Memory-foam cushions and a lightweight {material} frame for long listening sessions.",
         "Quick charge gives hours of playback from a 10-minute top-up."]),
    "Electronics > Speakers": Spec(
        "Bluetooth Speaker", ["JBL", "Bose", "Anker", "Ultimate Ears", "Kestrel Audio"],
        ["Trek", "Pocket", "Boom", "Party Max"], (25, 300, 90),
        ["black", "blue", "red", "grey", "green", "pink", "white"], ["fabric", "silicone", "plastic", "aluminium"],
        {"battery_life": ["10 h", "12 h", "20 h", "24 h"], "output": ["10 W", "20 W", "30 W", "60 W"],
         "waterproof": MOSTLY_YES},
        ["Room-filling {output} sound with deep bass from a compact body.",
         "Up to {battery_life} of playtime with USB-C charging.",
         "Wrapped in durable {material} with a strap for hanging from a bag or tent.",
         "Pair two speakers for stereo sound at parties."]),
    "Electronics > Power Banks": Spec(
        "Power Bank", ["Anker", "Belkin", "Ugreen", "Voltura"], ["Slim", "Compact", "Max", "Travel"],
        (15, 90, 35), ["black", "white", "blue", "grey", "pink"], ["plastic", "aluminium"],
        {"capacity": ["5000 mAh", "10000 mAh", "20000 mAh", "26800 mAh"], "output": ["18 W", "30 W", "65 W"],
         "ports": ["2", "3"], "wireless_charging": YES_NO},
        ["A {capacity} battery charges most phones several times over.",
         "Up to {output} USB-C fast charging across {ports} ports.",
         "A slim {material} shell that slips into a pocket or bag.",
         "An LED indicator shows exactly how much charge is left."]),
    "Electronics > Keyboards": Spec(
        "Keyboard", ["Logitech", "Keychron", "Razer", "Corsair", "Tactile Labs"],
        ["Mechanical", "Low-Profile", "Pro", "Ergonomic Split"], (25, 220, 80),
        ["black", "white", "grey", "pink", "beige"], ["plastic", "aluminium"],
        {"switches": ["red linear", "brown tactile", "blue clicky", "scissor"],
         "layout": ["full-size", "tenkeyless", "75%", "60%"], "backlight": ["white", "rgb", "none"],
         "wireless": YES_NO},
        ["A {layout} layout with {switches} switches for a satisfying typing feel.",
         "A sturdy {material} frame with sculpted keycaps that resist shine.",
         "Works with Windows and macOS, switching between three devices with one key.",
         "Fold-out feet give two typing angles."]),
    "Home > Bedding": Spec(
        "Duvet Cover Set", ["Brooklinen", "Parachute", "Northwind Home", "Larkspur"],
        ["Percale", "Sateen", "Washed", "Waffle"], (39, 250, 99),
        ["white", "grey", "beige", "navy", "green", "pink", "blue"],
        ["cotton", "linen", "cotton sateen", "bamboo lyocell"],
        {"thread_count": ["200", "300", "400", "600"], "pieces": ["2", "3"], "machine_washable": ["yes"]},
        ["A {thread_count}-thread-count {material} weave that feels cool and crisp.",
         "A set of {pieces} with button closures and corner ties that keep the duvet in place.",
         "Garment-washed for a soft, lived-in feel from the first night.",
         "Breathable enough for warm sleepers, cozy enough for winter."], sizes=BED_SIZES),
    "Home > Lamps": Spec(
        "Lamp", ["Northwind Home", "Lumen & Co", "Larkspur", "Hearthstone"], ["Table", "Floor", "Arc", "Desk"],
        (25, 320, 80), ["black", "white", "gold", "silver", "beige", "green", "grey"],
        ["ceramic", "brass", "metal", "glass", "oak"],
        {"bulb": ["E26 LED", "E27 LED"], "height": ["38 cm", "52 cm", "150 cm", "165 cm"],
         "cord_length": ["1.8 m", "2.5 m"], "dimmable": YES_NO},
        ["The {material} base carries a linen shade that spreads a warm, even glow.",
         "Stands {height} tall and takes an {bulb} bulb.",
         "An inline switch on a {cord_length} cord for easy placement.",
         "Simple lines that suit a bedside, desk or reading corner."]),
    "Home > Rugs": Spec(
        "Rug", ["Ruggable", "Safavieh", "Northwind Home", "Larkspur"], ["Area", "Runner", "Medallion", "Striped"],
        (39, 600, 160), ["beige", "grey", "blue", "navy", "green", "brown", "pink", "white"],
        ["wool", "jute", "cotton", "polypropylene"],
        {"dimensions": ["60 x 90 cm", "120 x 180 cm", "160 x 230 cm", "200 x 300 cm"],
         "pile": ["flat-weave", "low-pile", "medium-pile", "high-pile"], "machine_washable": YES_NO},
        ["A {pile} {material} rug measuring {dimensions}.",
         "Hand-finished edges and a subtle pattern that hides everyday wear.",
         "Soft underfoot and easy to vacuum.",
         "Pet- and kid-friendly, with stain-resistant fibers."]),
    "Home > Candles": Spec(
        "Scented Candle", ["Yankee Candle", "Hearthstone", "Larkspur", "Wick & Wax"],
        ["Sea Salt & Sage", "Vanilla Bean", "Fig & Cedar", "Fresh Linen", "Amber Woods"], (8, 60, 22),
        ["white", "beige", "green", "pink", "grey", "black"], ["soy wax", "coconut wax", "beeswax", "paraffin"],
        {"burn_time": ["25 h", "40 h", "60 h", "80 h"], "wicks": ["1", "2", "3"], "weight": ["200 g", "340 g", "500 g"]},
        ["Hand-poured {material} with up to {burn_time} of clean, even burn.",
         "A {wicks}-wick design in a reusable glass vessel.",
         "A warm scent that fills a living room without overpowering it.",
         "Cotton wicks, free of lead and phthalates."]),
    "Furniture > Sofas": Spec(
        "Sofa", ["Burrow", "Article", "Northwind Home", "Larkspur", "Hearthstone"],
        ["Mid-Century", "Modular", "Chesterfield", "Low-Profile", "Track Arm"], (300, 2500, 900),
        ["grey", "beige", "navy", "green", "brown", "blue", "black", "pink"],
        ["velvet", "linen", "performance fabric", "leather", "boucle"],
        {"seats": ["2", "3", "4"], "width": ["160 cm", "190 cm", "210 cm", "240 cm"],
         "frame": ["solid oak", "kiln-dried pine", "steel"], "removable_covers": YES_NO},
        ["Seats {seats} on deep cushions upholstered in {material}.",
         "{width} wide, on a {frame} frame built to last.",
         "High-resilience foam wrapped in feather for a soft, supportive sit.",
         "Ships in boxes and assembles in minutes without tools."]),
    "Furniture > Desks": Spec(
        "Desk", ["Flexispot", "Northwind Home", "Larkspur", "Oakridge"], ["Standing", "Writing", "Corner", "Compact"],
        (90, 900, 260), ["white", "black", "brown", "grey", "beige"],
        ["oak", "walnut veneer", "bamboo", "steel", "engineered wood"],
        {"width": ["100 cm", "120 cm", "140 cm", "160 cm"], "max_load": ["50 kg", "70 kg", "100 kg"],
         "height_adjustable": YES_NO},
        ["A {width} {material} top with room for a monitor, laptop and lamp.",
         "Steel legs support up to {max_load}.",
         "A cable tray and grommet keep cords out of sight.",
         "Levelling feet steady it on uneven floors."]),
    "Furniture > Office Chairs": Spec(
        "Office Chair", ["Herman Miller", "Steelcase", "Branch", "Northwind Home", "Oakridge"],
        ["Ergonomic", "Task", "Executive", "Drafting"], (80, 1400, 300),
        ["black", "grey", "white", "blue", "green"], ["mesh", "leather", "fabric", "faux leather"],
        {"armrests": ["2D", "3D", "4D", "fixed"], "max_load": ["110 kg", "135 kg", "150 kg"],
         "lumbar_support": MOSTLY_YES},
        ["A breathable {material} seat with a waterfall edge that eases pressure on the legs.",
         "{armrests} armrests and a synchro-tilt mechanism that moves with you.",
         "Rated for up to {max_load}, with a five-star base and smooth-rolling casters.",
         "Tool-free height adjustment on a gas lift."]),
    "Furniture > Beds": Spec(
        "Bed Frame", ["Zinus", "Northwind Home", "Larkspur", "Oakridge"],
        ["Platform", "Upholstered", "Storage", "Canopy"], (180, 1800, 600),
        ["brown", "black", "white", "grey", "beige", "navy", "green"],
        ["oak", "walnut", "pine", "steel", "velvet", "linen"],
        {"slats": ["wooden", "steel"], "under_bed_clearance": ["15 cm", "20 cm", "30 cm"], "headboard": YES_NO},
        ["Built from {material} with {slats} slats, so no box spring is needed.",
         "Sits with {under_bed_clearance} of under-bed clearance for storage.",
         "Quiet, wobble-free joints that assemble in under an hour.",
         "A clean silhouette that suits modern and traditional bedrooms alike."], sizes=BED_SIZES),
    "Kitchen > Mugs": Spec(
        "Mug", ["Le Creuset", "Fiesta", "Northwind Home", "Larkspur", "Kiln & Co"],
        ["Classic", "Stoneware", "Travel", "Espresso"], (8, 30, 14), NEUTRALS + BRIGHTS,
        ["ceramic", "stoneware", "porcelain", "stainless steel", "glass"],
        {"capacity": ["90 ml", "300 ml", "350 ml", "450 ml"], "dishwasher_safe": MOSTLY_YES,
         "microwave_safe": YES_NO},
        ["Holds {capacity}, just right for a morning coffee or tea.",
         "Made from {material} with a comfortable, generous handle.",
         "Finished in {color}, it brightens up any shelf.",
         "Stacks neatly in the cupboard."], count=16),
    "Kitchen > Cookware": Spec(
        "Frying Pan", ["Lodge", "All-Clad", "Tefal", "Le Creuset", "Kiln & Co"],
        ["Pro", "Everyday", "Chef's", "Signature"], (19, 220, 60), ["black", "silver", "red", "blue", "grey"],
        ["stainless steel", "cast iron", "aluminium", "carbon steel"],
        {"diameter": ["20 cm", "24 cm", "28 cm", "30 cm"], "oven_safe": ["yes"],
         "induction_compatible": MOSTLY_YES, "dishwasher_safe": YES_NO, "nonstick": YES_NO},
        ["A {diameter} {material} pan that heats quickly and evenly.",
         "A riveted stay-cool handle and a flared rim for drip-free pouring.",
         "Sears, sautes and fries with restaurant-style results.",
         "Built to last through years of everyday cooking."]),
    "Kitchen > Knives": Spec(
        "Chef's Knife", ["Wüsthof", "Victorinox", "Global", "Shun", "Kiln & Co"],
        ["Classic", "Pro", "Everedge", "Kuro"], (19, 250, 80), ["black", "brown", "silver", "white"],
        ["stainless steel", "high-carbon stainless steel", "damascus steel"],
        {"blade_length": ["15 cm", "16 cm", "20 cm", "23 cm"],
         "handle": ["pakkawood", "polymer", "stainless steel", "olive wood"], "dishwasher_safe": MOSTLY_NO},
        ["A {blade_length} {material} blade sharpened to a 15-degree edge.",
         "A balanced {handle} handle stays comfortable through long prep sessions.",
         "Full-tang forged construction for strength and control.",
         "Slices, dices and minces with precision."]),
    "Kitchen > Water Bottles": Spec(
        "Water Bottle", ["Hydro Flask", "Stanley", "CamelBak", "Nalgene", "Kiln & Co"],
        ["Insulated", "Sport", "Wide Mouth", "Flip Straw"], (9, 55, 25), NEUTRALS + BRIGHTS,
        ["stainless steel", "tritan plastic", "glass", "aluminium"],
        {"capacity": ["500 ml", "750 ml", "1 l", "1.2 l"], "keeps_cold": ["12 h", "24 h", "36 h"],
         "bpa_free": ["yes"], "leakproof": MOSTLY_YES, "dishwasher_safe": YES_NO},
        ["Holds {capacity} and fits most cup holders.",
         "Double-wall {material} keeps drinks cold for up to {keeps_cold}.",
         "A powder-coated grip that won't sweat in your bag.",
         "A lid with a carry loop for the gym, office or trail."]),
    "Beauty > Moisturizers": Spec(
        "Face Moisturizer", ["CeraVe", "La Roche-Posay", "Glow Theory", "Larkspur Botanics", "Dewlab"],
        ["Daily Hydrating", "Barrier Repair", "Oil-Free Gel", "Rich Night"], (8, 75, 24), [], [],
        {"volume": ["50 ml", "75 ml", "100 ml"], "skin_type": ["dry", "oily", "combination", "sensitive", "all"],
         "spf": ["none", "15", "30"], "fragrance_free": YES_NO, "vegan": YES_NO},
        ["A lightweight formula for {skin_type} skin that absorbs quickly without greasiness.",
         "Hyaluronic acid and ceramides lock in moisture for 24 hours.",
         "A {volume} pump bottle, dermatologist tested.",
         "Layers smoothly under makeup and sunscreen."]),
    "Beauty > Fragrance": Spec(
        "Eau de Parfum", ["Maison Larkspur", "Dewlab", "Atelier Vire", "Northwind"],
        ["Santal Noir", "Fleur Blanche", "Citrus Grove", "Amber Nights", "Velvet Rose"], (25, 220, 85), [], [],
        {"volume": ["30 ml", "50 ml", "100 ml"], "longevity": ["6 h", "8 h", "10 h"],
         "notes": ["bergamot, jasmine and musk", "sandalwood, vanilla and amber", "grapefruit, vetiver and cedar",
                   "rose, pink pepper and patchouli"], "vegan": YES_NO},
        ["Opens with notes of {notes} that settle into a warm, lasting trail.",
         "Lasts around {longevity} on skin.",
         "Presented in a weighted {volume} glass bottle.",
         "A signature scent for day or evening."]),
    "Beauty > Hair Care": Spec(
        "Shampoo", ["Olaplex", "Pantene", "Larkspur Botanics", "Dewlab"],
        ["Repair", "Volume", "Curl Care", "Clarifying", "Hydrating"], (6, 45, 16), [], [],
        {"volume": ["250 ml", "400 ml", "1 l"], "hair_type": ["curly", "fine", "damaged", "all"],
         "sulfate_free": YES_NO, "vegan": YES_NO},
        ["A gentle cleanser for {hair_type} hair that leaves it soft and shiny.",
         "Enriched with argan oil and panthenol.",
         "A {volume} bottle with an easy-pour cap.",
         "Rinses clean without stripping natural oils."]),
    "Sports > Yoga Mats": Spec(
        "Yoga Mat", ["Manduka", "Lululemon", "Gaiam", "Solace Active"], ["Pro", "Grip", "Travel", "Eco", "Studio"],
        (15, 130, 45), NEUTRALS + BRIGHTS, ["natural rubber", "tpe", "pvc", "cork", "polyurethane"],
        {"thickness": ["1.5 mm", "4 mm", "5 mm", "6 mm"], "length": ["173 cm", "183 cm", "200 cm"],
         "weight": ["1.1 kg", "1.8 kg", "2.5 kg"], "non_slip": ["yes"]},
        ["A {thickness} {material} mat that cushions joints without losing stability.",
         "Measures {length} long and weighs {weight}.",
         "A textured surface grips even in hot, sweaty classes.",
         "Easy to wipe clean, and rolls up tight for the studio."]),
    "Sports > Dumbbells": Spec(
        "Dumbbell Set", ["Bowflex", "CAP Barbell", "Solace Active", "Ironclad Fitness"],
        ["Adjustable", "Hex", "Studio", "Compact"], (20, 450, 90), ["black", "grey", "pink", "blue", "purple"],
        ["cast iron", "rubber-coated steel", "neoprene", "chrome steel"],
        {"weight_range": ["2 x 2 kg", "2 x 5 kg", "2-24 kg", "2.5-25 kg"], "pieces": ["2", "4"]},
        ["{weight_range} of {material} with a knurled grip for a secure hold.",
         "Ideal for home strength training, from curls to presses.",
         "Rounded edges protect floors and hands.",
         "Compact enough to store under a bed or in a corner."]),
    "Sports > Tents": Spec(
        "Tent", ["Coleman", "MSR", "REI Co-op", "Big Agnes", "Ridgeway Outdoor"],
        ["Trailhead", "Basecamp", "Summit", "Meadow"], (49, 650, 180),
        ["green", "orange", "grey", "blue", "yellow", "beige"], ["ripstop nylon", "polyester", "nylon"],
        {"capacity": ["1-person", "2-person", "3-person", "4-person", "6-person"],
         "seasons": ["3-season", "4-season"], "weight": ["1.2 kg", "2.1 kg", "3.5 kg", "6 kg"], "waterproof": ["yes"]},
        ["A {seasons} {capacity} shelter with a {material} fly and aluminium poles.",
         "Packs down to {weight} for the trail.",
         "Two doors and two vestibules, so nobody climbs over anyone.",
         "Color-coded clips make pitching quick, even in the dark."]),
    "Toys > Building Sets": Spec(
        "Building Set", ["LEGO", "Mega Bloks", "Brickworks", "Tinker Town"],
        ["City Fire Station", "Space Shuttle", "Castle", "Race Car", "Treehouse"], (9, 180, 45), [],
        ["plastic", "abs plastic"],
        {"pieces": ["120", "250", "480", "900", "1500"], "age": ["4+", "6+", "8+", "10+", "12+"]},
        ["{pieces} pieces with step-by-step instructions, for ages {age}.",
         "Builds into a detailed model that works with other sets in the range.",
         "Encourages creativity, patience and fine motor skills.",
         "A gift that rewards hours of play after the build."]),
    "Toys > Plush": Spec(
        "Plush Toy", ["Jellycat", "Squishmallows", "Tinker Town", "Cuddle Co"],
        ["Bear", "Bunny", "Dinosaur", "Elephant", "Fox"], (8, 60, 22),
        ["brown", "beige", "pink", "grey", "green", "blue", "white"], ["polyester", "recycled polyester", "organic cotton"],
        {"height": ["18 cm", "25 cm", "31 cm", "40 cm"], "age": ["0+", "3+"], "machine_washable": YES_NO},
        ["Super-soft {material} plush that stands {height} tall.",
         "Safety-tested embroidered eyes, suitable for ages {age}.",
         "A cuddly bedtime friend that's easy to carry everywhere.",
         "Huggable, squishable and made to last."]),
    "Toys > Puzzles": Spec(
        "Jigsaw Puzzle", ["Ravensburger", "Buffalo Games", "Tinker Town", "Larkspur"],
        ["Mountain Lake", "Cat Cafe", "World Map", "Night Sky", "Flower Market"], (9, 45, 20), [],
        ["cardboard", "recycled cardboard", "wood"],
        {"pieces": ["300", "500", "1000", "1500", "2000"], "finished_size": ["49 x 36 cm", "70 x 50 cm", "84 x 60 cm"],
         "age": ["8+", "12+", "14+"]},
        ["{pieces} precision-cut {material} pieces that lock together snugly.",
         "The finished puzzle measures {finished_size}.",
         "A glare-free, linen-finish print with vivid colors.",
         "A relaxing project for a rainy weekend."]),
    "Bags > Backpacks": Spec(
        "Backpack", ["Herschel", "Osprey", "Fjallraven", "Northline Apparel", "Ridgeway Outdoor"],
        ["Daypack", "Commuter", "Laptop", "Trail", "Roll-Top"], (25, 220, 75),
        [*NEUTRALS, "green", "red", "blue", "yellow", "orange"],
        ["nylon", "polyester", "recycled polyester", "canvas", "leather"],
        {"capacity": ["15 l", "20 l", "25 l", "30 l"], "laptop_sleeve": ["13 in", "15 in", "16 in", "none"],
         "water_resistant": YES_NO},
        ["{capacity} of space in a durable {material} body.",
         "Padded, breathable shoulder straps and a sternum strap carry the load comfortably.",
         "Organizer pockets for keys, pens and chargers, plus a side bottle pocket.",
         "A luggage pass-through slides over a suitcase handle."]),
    "Bags > Handbags": Spec(
        "Handbag", ["Coach", "Kate Spade", "Larkspur", "Mira Atelier"],
        ["Tote", "Crossbody", "Shoulder", "Bucket", "Satchel"], (35, 450, 140),
        ["black", "brown", "beige", "red", "pink", "navy", "white", "green"],
        ["leather", "vegan leather", "suede", "canvas"],
        {"strap": ["adjustable", "detachable", "fixed"], "closure": ["zip", "magnetic snap", "drawstring"]},
        ["Soft {material} with a {closure} closure; the strap is {strap}.",
         "An interior zip pocket and card slots keep essentials organized.",
         "Sized to fit a phone, wallet and small tablet.",
         "Gold-tone hardware adds a polished finish."]),
    "Bags > Luggage": Spec(
        "Suitcase", ["Samsonite", "Away", "Travelpro", "Ridgeway Outdoor"], ["Classic", "Lite", "Voyager", "Hardside"],
        (69, 650, 220), ["black", "navy", "grey", "green", "blue", "silver", "pink"],
        ["polycarbonate", "aluminium", "nylon", "abs plastic"],
        {"capacity": ["38 l", "65 l", "95 l"], "wheels": ["4 spinner", "2 inline"],
         "weight": ["2.4 kg", "3.2 kg", "4.5 kg"], "tsa_lock": MOSTLY_YES},
        ["A {capacity} {material} case that shrugs off knocks and scuffs.",
         "{wheels} wheels glide smoothly through airports.",
         "Compression straps and a zip divider keep packing tidy.",
         "Weighs only {weight} empty."]),
    "Jewelry & Watches > Watches": Spec(
        "Watch", ["Seiko", "Timex", "Citizen", "Fossil", "Halden & Co"],
        ["Field", "Dive", "Chronograph", "Dress", "Minimalist"], (39, 600, 160),
        ["black", "silver", "gold", "blue", "green", "white", "brown"],
        ["stainless steel", "leather", "titanium", "nylon"],
        {"case_size": ["36 mm", "38 mm", "40 mm", "42 mm"], "movement": ["quartz", "automatic", "solar"],
         "water_resistance": ["30 m", "50 m", "100 m", "200 m"]},
        ["A {case_size} case on a {material} strap with a {color} dial.",
         "Reliable {movement} movement under a scratch-resistant crystal.",
         "Water resistant to {water_resistance}.",
         "Luminous hands make it easy to read in the dark."]),
    "Jewelry & Watches > Necklaces": Spec(
        "Necklace", ["Mejuri", "Pandora", "Halden & Co", "Mira Atelier"],
        ["Pendant", "Chain", "Pearl", "Charm", "Initial"], (19, 350, 80), METALS,
        ["sterling silver", "14k gold vermeil", "gold-plated brass", "stainless steel"],
        {"length": ["40 cm", "45 cm", "50 cm"], "clasp": ["lobster", "spring ring"], "hypoallergenic": YES_NO},
        ["A delicate {material} chain, {length} long, with a {clasp} clasp.",
         "Polished by hand for a bright, lasting shine.",
         "Layers easily with other necklaces or shines on its own.",
         "Arrives in a gift box, ready to give."]),
    "Jewelry & Watches > Earrings": Spec(
        "Earrings", ["Mejuri", "Pandora", "Kendra Scott", "Halden & Co", "Mira Atelier"],
        ["Hoop", "Stud", "Drop", "Huggie"], (15, 250, 55), METALS,
        ["sterling silver", "14k gold vermeil", "gold-plated brass", "stainless steel"],
        {"diameter": ["8 mm", "12 mm", "20 mm", "30 mm"], "backing": ["push back", "hinged", "hook"],
         "hypoallergenic": ["yes"]},
        ["Crafted from {material} with a {backing} fastening.",
         "Measures {diameter} across, a size that works every day.",
         "Light enough to wear from morning to night.",
         "Nickel-free posts for sensitive ears."]),
    "Garden > Planters": Spec(
        "Planter", ["Bloomscape", "Northwind Home", "Greenhaven", "Terra & Twig"],
        ["Cylinder", "Self-Watering", "Hanging", "Tapered", "Window Box"], (12, 180, 35),
        ["white", "black", "grey", "green", "beige", "brown"],
        ["ceramic", "terracotta", "concrete", "recycled plastic", "fiberglass"],
        {"diameter": ["12 cm", "20 cm", "30 cm", "45 cm"], "use": ["indoor", "outdoor", "indoor/outdoor"],
         "drainage_hole": MOSTLY_YES, "frost_resistant": YES_NO},
        ["A {diameter} {material} pot for {use} plants.",
         "A matte {color} finish that complements any leaf.",
         "Comes with a saucer to catch excess water.",
         "Sized for herbs, succulents or a leafy fern."]),
    "Garden > Pruning Tools": Spec(
        "Pruning Shears", ["Fiskars", "Felco", "Spear & Jackson", "Greenhaven", "Terra & Twig"],
        ["Bypass", "Anvil", "Ratchet", "Compact", "Heavy-Duty"], (9, 90, 25),
        ["green", "orange", "black", "red", "silver"], ["stainless steel", "carbon steel", "aluminium"],
        {"cutting_capacity": ["15 mm", "20 mm", "25 mm"], "handle": ["ergonomic rubber", "ash wood", "fiberglass"],
         "rust_resistant": YES_NO},
        ["Tough {material} blades that stay sharp season after season.",
         "The {handle} handle cushions the grip on long gardening days.",
         "Cuts branches up to {cutting_capacity} thick in one clean stroke.",
         "A safety lock keeps the blades closed in a pocket or shed."]),
    "Garden > Outdoor Lighting": Spec(
        "Solar Lights", ["Brightech", "Greenhaven", "Lumen & Co", "Terra & Twig"],
        ["String", "Path", "Spot", "Lantern", "Fence"], (12, 120, 35), ["black", "white", "silver", "gold", "green"],
        ["plastic", "stainless steel", "glass", "aluminium"],
        {"runtime": ["6 h", "8 h", "10 h", "12 h"], "light_color": ["warm white", "cool white", "multicolor"],
         "count": ["4", "6", "10", "50"], "waterproof": ["yes"]},
        ["Charges by day and glows {light_color} for up to {runtime} after dusk.",
         "A set of {count} with durable {material} housings.",
         "No wiring needed: place along paths, fences or patios.",
         "Switches on automatically at dusk and off at dawn."]),
    "Books & Stationery > Notebooks": Spec(
        "Notebook", ["Moleskine", "Leuchtturm1917", "Rhodia", "Paperwise", "Larkspur Press"],
        ["Dotted A5", "Ruled A5", "Hardcover Classic", "Pocket", "Grid B5"], (5, 35, 16),
        ["black", "navy", "green", "red", "yellow", "pink", "grey", "blue"], ["paper", "recycled paper"],
        {"pages": ["96", "160", "192", "240"], "paper_weight": ["80 gsm", "90 gsm", "120 gsm"], "lay_flat": YES_NO},
        ["{pages} pages of {paper_weight} acid-free paper that resists ink bleed.",
         "An elastic closure, ribbon bookmark and expandable back pocket.",
         "A {color} cover that stands out in a bag or on a desk.",
         "Numbered pages and a blank index keep notes organized."]),
    "Books & Stationery > Pens": Spec(
        "Pen", ["Pilot", "Lamy", "Uni-ball", "Parker", "Paperwise"],
        ["Gel", "Ballpoint", "Fountain", "Fineliner", "Rollerball"], (3, 120, 12),
        ["black", "blue", "red", "silver", "green", "purple"], ["plastic", "aluminium", "brass", "stainless steel"],
        {"tip": ["0.38 mm", "0.5 mm", "0.7 mm", "1.0 mm"], "ink_color": ["black", "blue", "red", "green"],
         "pack": ["1", "3", "5", "10"], "refillable": YES_NO},
        ["A {tip} tip that lays down smooth, consistent lines.",
         "Quick-drying {ink_color} ink that won't smudge, even for left-handers.",
         "A comfortable {material} barrel with a secure pocket clip.",
         "Pack size: {pack}."]),
    "Books & Stationery > Cookbooks": Spec(
        "Cookbook", ["Larkspur Press", "Penguin", "Ten Speed Press", "Chronicle Books"],
        ["Weeknight Vegetarian", "Simple Sourdough", "One-Pan Dinners", "Plant-Based Comfort",
         "Mediterranean Table", "Bakes & Cakes"], (12, 45, 24), [], [],
        {"pages": ["192", "256", "320", "384"], "format": ["hardcover", "paperback"],
         "recipes": ["75", "100", "120", "150"]},
        ["{recipes} tested recipes across {pages} pages, most with a full-page photograph.",
         "Clear, step-by-step instructions for cooks of every level.",
         "A sturdy {format} edition that stays open on the counter.",
         "Includes menus, shopping lists and make-ahead tips."]),
    "Pet Supplies > Dog Beds": Spec(
        "Dog Bed", ["Furhaven", "BarkBox", "Pawsome", "Kind Tails"],
        ["Orthopedic", "Bolster", "Donut", "Cooling", "Lounger"], (19, 220, 60),
        ["grey", "beige", "brown", "navy", "green", "pink", "blue"], ["polyester", "faux fur", "canvas", "microfiber"],
        {"fill": ["memory foam", "polyester fiber", "egg-crate foam"], "machine_washable": MOSTLY_YES,
         "non_slip": ["yes"]},
        ["Supportive {fill} fill eases pressure on joints.",
         "A soft {material} cover with raised edges for resting heads.",
         "A grippy base keeps it in place on hard floors.",
         "Made for dogs who love to curl up or stretch out."], sizes=PET_SIZES),
    "Pet Supplies > Leashes": Spec(
        "Dog Leash", ["Ruffwear", "Flexi", "Pawsome", "Kind Tails"],
        ["Reflective", "Hands-Free", "Rope", "Training", "Everyday"], (8, 55, 20),
        ["black", "red", "blue", "green", "orange", "pink", "purple", "navy"],
        ["nylon", "leather", "cotton rope", "biothane"],
        {"length": ["1.2 m", "1.8 m", "3 m", "5 m"], "width": ["15 mm", "20 mm", "25 mm"], "reflective": YES_NO},
        ["A {length} {material} leash with a padded handle.",
         "Strong {width} webbing and a locking carabiner clip.",
         "Built for daily walks and weekend adventures.",
         "Comfortable in the hand, even with a dog that pulls."]),
    "Pet Supplies > Bowls": Spec(
        "Pet Bowl", ["Yeti", "Petmate", "Pawsome", "Kind Tails"], ["Slow Feeder", "Elevated", "Double", "Travel"],
        (6, 60, 18), NEUTRALS + BRIGHTS, ["stainless steel", "ceramic", "bamboo", "silicone", "plastic"],
        {"capacity": ["250 ml", "500 ml", "1 l", "1.8 l"], "dishwasher_safe": MOSTLY_YES, "non_slip": YES_NO},
        ["Holds {capacity} of food or water.",
         "Made from {material} that's easy to clean and won't hold odors.",
         "A weighted base stops tipping and sliding.",
         "Suits cats and dogs of all sizes."]),
    "Baby > Strollers": Spec(
        "Stroller", ["UPPAbaby", "Bugaboo", "Graco", "Little Lark"],
        ["Compact Travel", "All-Terrain", "Jogging", "Lightweight", "Full-Size"], (89, 1100, 350),
        ["black", "grey", "navy", "beige", "green"], ["aluminium", "steel"],
        {"weight": ["6.5 kg", "8 kg", "10 kg", "12 kg"], "max_child_weight": ["15 kg", "22 kg", "25 kg"],
         "one_hand_fold": YES_NO, "car_seat_compatible": YES_NO},
        ["The {material} frame weighs just {weight} and is rated for children up to {max_child_weight}.",
         "All-wheel suspension smooths out bumpy pavements.",
         "An extendable UPF 50+ canopy and a large under-seat basket.",
         "A reclining seat for naps on the go."]),
    "Baby > Clothing": Spec(
        "Baby Bodysuit", ["Carter's", "Gerber", "Hanna Andersson", "Little Lark"],
        ["Long-Sleeve", "Short-Sleeve", "Footed", "Wrap", "Striped"], (8, 45, 18),
        ["white", "pink", "blue", "yellow", "green", "grey", "beige"], ["organic cotton", "cotton", "bamboo viscose"],
        {"closure": ["snap", "zip", "envelope neck"], "pack": ["2", "3", "5"], "machine_washable": ["yes"]},
        ["Soft, breathable {material} that's gentle on delicate skin.",
         "{closure} closures make diaper changes quick.",
         "Sold as a pack of {pack}.",
         "Tag-free labels and flat seams for all-day comfort."], sizes=BABY_SIZES),
    "Baby > Feeding": Spec(
        "Baby Bottle", ["Philips Avent", "Dr. Brown's", "Comotomo", "Little Lark"],
        ["Anti-Colic", "Natural Flow", "Wide Neck", "Starter"], (6, 40, 15),
        ["white", "pink", "blue", "green", "grey", "purple"], ["polypropylene", "glass", "silicone"],
        {"capacity": ["125 ml", "160 ml", "260 ml", "330 ml"], "pack": ["2", "3", "4"], "bpa_free": ["yes"],
         "dishwasher_safe": YES_NO},
        ["A {capacity} {material} bottle with a breast-like nipple for easy latching.",
         "An anti-colic valve reduces air intake during feeds.",
         "A wide neck makes filling and cleaning easy.",
         "Comes in a pack of {pack}."]),
}

# fmt: on


def _product(rng: random.Random, sku: int, category: str, spec: Spec, brand: str, model: str) -> dict:
    attrs = {key: rng.choice(values) for key, values in spec.attrs.items()}
    color = rng.choice(spec.colors) if spec.colors else ""
    material = rng.choice(spec.materials) if spec.materials else ""
    fields = {"brand": brand, "color": color, "material": material, **attrs}
    sentences = [pitch.format(**fields) for pitch in rng.sample(spec.pitches, 2)]
    features = [FLAG_PHRASES[key] for key, value in attrs.items() if key in FLAG_PHRASES and value == "yes"]
    if features:
        listed = features[0] if len(features) == 1 else f"{', '.join(features[:-1])} and {features[-1]}"
        sentences.append(f"Features: {listed}.")
    low, high, mode = spec.price
    raw = rng.triangular(low, high, mode)
    step = 10 if raw >= 200 else 1  # dear things end in 9.99, cheap ones in .99
    price = round(max(step, round(raw / step) * step) - rng.choice((0.01, 0.01, 0.05, 0.0)), 2)
    sizes: list[str] = []
    if spec.sizes:
        span = max(2, len(spec.sizes) // 2)
        start = rng.randint(0, len(spec.sizes) - span)
        sizes = list(spec.sizes[start : rng.randint(start + span, len(spec.sizes))])
    # A few poorly rated products, so "best rated" and rating filters have something to leave out.
    rating = rng.triangular(3.2, 4.9, 4.4) if rng.random() > 0.06 else rng.uniform(2.4, 3.2)
    return {
        "id": f"sku-{sku:05d}",
        "title": f"{brand} {model} {spec.noun}",
        "description": " ".join(sentence[0].upper() + sentence[1:] for sentence in sentences),
        "brand": brand,
        "category": category,
        "price": price,
        "currency": "USD",
        "color": color,
        "sizes": sizes,
        "material": material,
        "rating": round(rating, 1),
        "stock": 0 if rng.random() < 0.08 else rng.randint(1, 250),
        "image_url": "",
        "attributes": attrs,
    }


def demo_products() -> list[dict]:
    """The embedded demo catalog: the same list on every call and every machine."""
    rng = random.Random(SEED)
    products: list[dict] = []
    for category, spec in CATALOG.items():
        lines = [
            (brand, model)
            for brand in spec.brands
            for model in (spec.models[brand] if isinstance(spec.models, dict) else spec.models)
        ]
        for brand, model in rng.sample(lines, spec.count):
            products.append(_product(rng, len(products) + 1, category, spec, brand, model))
    return products
