"""What makes a password acceptable (SEC-1): a policy a front desk can live with.

At least 10 characters, not one of the most common passwords (whatever the letter case or
the digits and signs around a common word), and not the user name.
"""

from __future__ import annotations

MIN_LENGTH = 10
MAX_LENGTH = 256

# The most common passwords of at least ten characters in the public breach lists, and the
# obvious ones for a dental office. Compared after case folding.
COMMON = frozenset(
    [
        "1234567890",
        "0123456789",
        "12345678910",
        "1234567891",
        "0987654321",
        "9876543210",
        "1111111111",
        "0000000000",
        "1q2w3e4r5t",
        "qwertyuiop",
        "1qaz2wsx3edc",
        "qwerty1234",
        "qwertyuiop1",
        "qwerty12345",
        "asdfghjkl1",
        "zxcvbnm123",
        "1234qwer!@",
        "password12",
        "password123",
        "password1!",
        "password01",
        "passw0rd12",
        "p@ssword12",
        "p@ssw0rd12",
        "iloveyou12",
        "princess12",
        "football12",
        "baseball12",
        "superman12",
        "sunshine12",
        "starwars12",
        "trustno123",
        "welcome123",
        "welcome1234",
        "letmein123",
        "abc1234567",
        "abcdefghij",
        "aaaaaaaaaa",
        "administrator",
        "admin12345",
        "admin123456",
        "changeme12",
        "changeme123",
        "qazwsxedcrfv",
        "1q2w3e4r5t6y",
        "123qweasdzxc",
        "michael123",
        "jennifer12",
        "whatever12",
        "dragon1234",
        "monkey1234",
        "master1234",
        "shadow1234",
        "mustang123",
        "123456789a",
        "a123456789",
        "123456789q",
        "q123456789",
        "11223344556",
        "1122334455",
        "1212121212",
        "12341234",
        "1234512345",
        "dentist123",
        "dentistry1",
        "dental1234",
        "dentaldesk",
        "dentaldesk1",
        "dentaldesk123",
        "frontdesk1",
        "frontdesk123",
        "reception1",
        "reception12",
        "receptionist",
        "office1234",
        "office12345",
        "practice12",
        "doctor1234",
        "smile12345",
        "toothfairy",
        "teeth12345",
        "hygienist1",
        "hygiene123",
        "patient123",
        "welcome2024",
        "welcome2025",
        "welcome2026",
        "summer2024",
        "summer2025",
        "winter2024",
        "winter2025",
        "spring2025",
        "autumn2025",
        "password2024",
        "password2025",
        "password2026",
        "january2025",
        "letmein2025",
    ]
)
# Common words that digits or signs around them do not save ("Password2025!", "dentist!!12").
_COMMON_WORDS = frozenset(
    [
        "password",
        "passw0rd",
        "p@ssword",
        "p@ssw0rd",
        "qwerty",
        "qwertyuiop",
        "asdfgh",
        "zxcvbnm",
        "welcome",
        "letmein",
        "iloveyou",
        "admin",
        "administrator",
        "changeme",
        "monkey",
        "dragon",
        "master",
        "shadow",
        "football",
        "baseball",
        "sunshine",
        "princess",
        "superman",
        "trustno",
        "abc",
        "abcdef",
        "dentist",
        "dental",
        "dentaldesk",
        "frontdesk",
        "reception",
        "receptionist",
        "office",
        "practice",
        "doctor",
        "smile",
        "teeth",
        "hygienist",
        "hygiene",
        "patient",
        "summer",
        "winter",
        "spring",
        "autumn",
    ]
)
_AROUND = "0123456789!@#$%^&*.,-_+=?~ "


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused, in words for the person choosing it, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"A password has at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"A password has at most {MAX_LENGTH} characters."
    folded = password.casefold()
    name = username.strip().casefold()
    core = folded.strip(_AROUND)
    if name and (folded == name or core == name.strip(_AROUND)):
        return "A password must not be the user name."
    if folded in COMMON or core in COMMON or core in _COMMON_WORDS:
        return "This password is one of the most common ones; choose another."
    if len(set(folded)) < 3:
        return "A password needs at least three different characters."
    return None
