"""The fixed data of the demo practice: the office, its people, its dental plans, names and places.

Everything here is plain values; the builders draw from it with a seeded ``random.Random`` so a
practice is the same every time for the same seed. Names, phone numbers (555), e-mail domains
(example.*) and subscriber IDs are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dentaldesk.domain.terms import Category, EstimationType, Role, TaxMethod, ToothNumbering

OFFICE = {
    "office_code": "MSD01",
    "name": "Maple Street Dental",
    "address": "1250 Maple Street, Suite 200\nSpringfield, IL 62704",
    "phone": "(217) 555-0142",
    "email": "frontdesk@maplestreetdental.example",
    "tax_method": TaxMethod.NON_PRO_RATA,
    "tax_rate": Decimal("6.000"),
    "tooth_numbering": ToothNumbering.UNIVERSAL,
    "handout_note": (
        "This estimate is based on the information your insurance plan gave us and is valid for "
        "90 days. Insurance payments are estimates, not guarantees: you are responsible for any "
        "amount your plan does not pay. Questions? Call us at (217) 555-0142."
    ),
    "estimate_valid_days": 90,
}


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    short_name: str
    kind: str
    color: str


PROVIDERS = (
    ProviderSpec("Olivia Bennett, DDS", "OB", "dentist", "#1f6feb"),
    ProviderSpec("Marcus Reyes, DMD", "MR", "dentist", "#2da44e"),
    ProviderSpec("Hannah Lee, RDH", "HL", "hygienist", "#bf3989"),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    full_name: str
    role: Role
    provider: int | None  # index into PROVIDERS


USERS = (
    UserSpec("owner", "Dr. Olivia Bennett", Role.OWNER, 0),
    UserSpec("admin", "Priya Shah", Role.ADMIN, None),
    UserSpec("dentist", "Dr. Marcus Reyes", Role.DENTIST, 1),
    UserSpec("frontdesk", "Emily Carter", Role.FRONT_DESK, None),
)

# Rarely used master codes left out of the office list, so "copy from master list" has work to do.
LEFT_OUT_CODES = ("D4921", "D7953", "D9972")

LOYALTY_SCHEDULE_NAME = "Loyalty / senior"
LOYALTY_PERCENT = 90
# Codes schedule 1 has no fee for, so its accounts show the Fee 0 fallback (TX-FEE-4).
NO_LOYALTY_FEE = ("D2740", "D2962", "D6058", "D8080", "D9944")


def _percents(basic: int, major: int, ortho: int, adjunctive: int) -> dict[Category, int]:
    return {
        Category.DIAGNOSTIC: 100,
        Category.PREVENTIVE: 100,
        Category.RESTORATIVE: basic,
        Category.ENDODONTICS: basic,
        Category.PERIODONTICS: basic,
        Category.ORAL_SURGERY: basic,
        Category.PROSTHODONTICS_REMOVABLE: major,
        Category.PROSTHODONTICS_FIXED: major,
        Category.IMPLANT: major,
        Category.ORTHODONTICS: ortho,
        Category.ADJUNCTIVE: adjunctive,
    }


# Preventive and diagnostic care is paid before the deductible (INS-2).
DEDUCTIBLE_EXEMPT = frozenset({Category.DIAGNOSTIC, Category.PREVENTIVE})


@dataclass(frozen=True)
class DentalPlanSpec:
    name: str
    carrier: str
    group_number: str
    estimation_type: EstimationType
    deductible: Decimal
    annual_max: Decimal | None
    default_copay: Decimal
    percents: dict[Category, int]
    subscriber_prefix: str


DENTAL_PLANS = (
    DentalPlanSpec(
        "Delta Dental Premier",
        "Delta Dental",
        "DD-48213",
        EstimationType.PERCENTAGE,
        Decimal("50.00"),
        Decimal("1500.00"),
        Decimal("0.00"),
        _percents(80, 50, 50, 50),
        "DDP",
    ),
    DentalPlanSpec(
        "MetLife PPO",
        "MetLife",
        "ML-77120",
        EstimationType.PPO,
        Decimal("50.00"),
        Decimal("2000.00"),
        Decimal("0.00"),
        _percents(80, 50, 50, 50),
        "MET",
    ),
    DentalPlanSpec(
        "Cigna Dental Care DHMO",
        "Cigna",
        "CG-30518",
        EstimationType.DMO,
        Decimal("0.00"),
        None,
        Decimal("25.00"),
        _percents(80, 50, 50, 50),
        "CGN",
    ),
)

# The Percentage plan's bluebook holds what it paid on the codes posted most often.
PERCENTAGE_BLUEBOOK_CODES = ("D0120", "D0150", "D0210", "D0274", "D1110", "D1120", "D1206", "D2391", "D2392")
# DHMO copay as a share of the cap fee, per category; preventive and diagnostic care is free.
DMO_COPAY_PERCENT = {
    Category.DIAGNOSTIC: 0,
    Category.PREVENTIVE: 0,
    Category.RESTORATIVE: 40,
    Category.ENDODONTICS: 40,
    Category.PERIODONTICS: 40,
    Category.ORAL_SURGERY: 40,
    Category.PROSTHODONTICS_REMOVABLE: 60,
    Category.PROSTHODONTICS_FIXED: 60,
    Category.IMPLANT: 60,
    Category.ORTHODONTICS: 70,
    Category.ADJUNCTIVE: 50,
}

FEMALE_FIRST = (
    "Emma",
    "Olivia",
    "Ava",
    "Sophia",
    "Isabella",
    "Mia",
    "Charlotte",
    "Amelia",
    "Harper",
    "Evelyn",
    "Abigail",
    "Emily",
    "Ella",
    "Elizabeth",
    "Camila",
    "Luna",
    "Sofia",
    "Avery",
    "Mila",
    "Aria",
    "Scarlett",
    "Penelope",
    "Layla",
    "Chloe",
    "Victoria",
    "Madison",
    "Eleanor",
    "Grace",
    "Nora",
    "Riley",
    "Zoë",
    "Hannah",
    "Lily",
    "Aaliyah",
    "Priya",
    "Mei",
    "Fatima",
    "Ingrid",
    "Siobhán",
    "Renée",
    "Margaret",
    "Dorothy",
    "Linda",
    "Barbara",
    "Patricia",
    "Susan",
    "Karen",
    "Nancy",
    "Beatriz",
    "Ximena",
    "Keiko",
    "Ananya",
    "Yasmin",
    "Leilani",
    "Naomi",
    "Ruth",
    "Joan",
    "Gloria",
)
MALE_FIRST = (
    "Liam",
    "Noah",
    "Oliver",
    "Elijah",
    "James",
    "William",
    "Benjamin",
    "Lucas",
    "Henry",
    "Theodore",
    "Jack",
    "Levi",
    "Alexander",
    "Jackson",
    "Mateo",
    "Daniel",
    "Michael",
    "Mason",
    "Sebastian",
    "Ethan",
    "Logan",
    "Owen",
    "Samuel",
    "Jacob",
    "Asher",
    "Aiden",
    "John",
    "Joseph",
    "Wyatt",
    "David",
    "José",
    "Andrés",
    "Rahul",
    "Wei",
    "Kenji",
    "Omar",
    "Tariq",
    "Björn",
    "Seán",
    "François",
    "Robert",
    "Richard",
    "Thomas",
    "Charles",
    "George",
    "Kenneth",
    "Donald",
    "Gary",
    "Raymond",
    "Kwame",
    "Dmitri",
    "Hiroshi",
    "Luis",
    "Marco",
    "Isaac",
    "Caleb",
    "Ezra",
    "Walter",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "O'Brien",
    "McAllister",
    "Kowalski",
    "Novak",
    "Schmidt",
    "Müller",
    "Johansson",
    "Lindqvist",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Haddad",
    "Khan",
    "Patel",
    "Sharma",
    "Chen",
    "Wang",
    "Liu",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Choi",
    "Rossi",
    "Bianchi",
    "Fernández",
    "Núñez",
    "Peña",
    "Dubois",
    "Lefèvre",
    "Kaczmarek",
    "Ivanova",
    "Petrov",
    "Cohen",
    "Levy",
    "Friedman",
    "Murphy",
    "Kelly",
    "Sullivan",
    "Fitzgerald",
    "Bergstrom",
    "DeLuca",
    "Van der Berg",
    "St. Claire",
    "Abernathy",
    "Whitfield",
    "Castellanos",
    "Delgado",
    "Okonkwo",
    "Yamamoto",
    "Hashemi",
    "Brennan",
    "Gallagher",
    "Holloway",
    "Pritchard",
    "Thornton",
    "Vasquez",
)
STREETS = (
    "Maple Street",
    "Oak Avenue",
    "Cedar Lane",
    "Elm Street",
    "Lincoln Boulevard",
    "Washington Street",
    "Chestnut Drive",
    "Willow Court",
    "Birch Road",
    "Sycamore Avenue",
    "Prairie Lane",
    "Hillcrest Drive",
    "Lakeview Terrace",
    "Meadowbrook Road",
    "Park Place",
    "Jefferson Avenue",
    "Walnut Street",
    "Riverside Drive",
    "Orchard Lane",
    "Sunset Boulevard",
)
ZIP_CODES = ("62701", "62702", "62703", "62704", "62707", "62711", "62712")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
PAYMENT_METHODS = ("Visa", "Mastercard", "Cash", "Check", "Debit card", "American Express", "HSA card")
CANCEL_REASONS = (
    "Patient chose a different treatment option.",
    "Patient moved out of the area.",
    "Insurance did not cover the work; patient declined for now.",
    "Patient wants to wait until next benefit year.",
    "Referred to a specialist for this treatment.",
)
APPROVAL_NOTE = "Patient approved the plan."
