"""Invented families: names, birth dates, phones, e-mails and a home address per account."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from dentaldesk.demo import catalog
from dentaldesk.domain.text import search_key


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date
    phone: str
    email: str

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


def _born(rng: random.Random, today: date, age: int) -> date:
    return today - timedelta(days=age * 365 + age // 4 + rng.randint(1, 364))


def _phone(rng: random.Random) -> str:
    return f"(217) 555-{rng.randint(0, 9999):04d}"


def _email(rng: random.Random, first: str, last: str) -> str:
    local = f"{search_key(first)}.{search_key(last)}".replace(" ", "").replace("'", "")
    local = local.encode("ascii", "ignore").decode("ascii")  # an address is plain ASCII
    if rng.random() < 0.4:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(catalog.EMAIL_DOMAINS)}"


def _person(
    rng: random.Random, today: date, last: str, age: int, home_phone: str, female: bool | None = None
) -> Person:
    if female is None:
        female = rng.random() < 0.5
    first = rng.choice(catalog.FEMALE_FIRST if female else catalog.MALE_FIRST)
    if age < 13:
        phone, email = home_phone, ""
    else:
        phone = _phone(rng)
        has_email = rng.random() < (0.88 if age >= 18 else 0.5)
        email = _email(rng, first, last) if has_email else ""
    return Person(first, last, _born(rng, today, age), phone, email)


def family(rng: random.Random, today: date, size: int, last: str, *, adult: bool = False) -> list[Person]:
    """``size`` people sharing an account; the first is the guarantor (always an adult).

    One person: any adult age. Two: a couple, sometimes with different last names, or a parent
    and child. More: one or two parents and children. ``adult`` keeps everyone 18 or older.
    """
    home = _phone(rng)
    if size == 1:
        age = rng.choice((rng.randint(18, 40), rng.randint(30, 70), rng.randint(55, 90)))
        return [_person(rng, today, last, age, home)]
    parent_age = rng.randint(26, 55) if size > 2 else rng.randint(22, 85)
    guarantor_female = rng.random() < 0.5
    people = [_person(rng, today, last, parent_age, home, guarantor_female)]
    couple = size == 2 and (adult or rng.random() < 0.8) or size > 2 and rng.random() < 0.8
    if couple:
        spouse_last = last if rng.random() < 0.75 else rng.choice(catalog.LAST_NAMES)
        spouse_age = max(18, parent_age + rng.randint(-6, 6))
        people.append(_person(rng, today, spouse_last, spouse_age, home, not guarantor_female))
    while len(people) < size:
        oldest_child = min(17, parent_age - 20)
        age = rng.randint(18, 24) if adult else rng.randint(2, max(2, oldest_child))
        people.append(_person(rng, today, last, age, home))
    return people


def address(rng: random.Random) -> str:
    return f"{rng.randint(10, 9899)} {rng.choice(catalog.STREETS)}\nSpringfield, IL {rng.choice(catalog.ZIP_CODES)}"


def subscriber_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.randint(10_000_000, 99_999_999)}"
