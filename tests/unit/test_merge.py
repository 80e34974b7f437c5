"""Re-applying a person's edits onto another workstation's save (DATA-4), as a pure rule."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from dentaldesk.domain.merge import reapply


@dataclass(frozen=True)
class Cover:
    plan: int | None = None
    used: str = "0.00"


@dataclass(frozen=True)
class Form:
    first: str = "Anna"
    phone: str = ""
    address: str = ""
    primary: Cover = Cover()
    version: int = 1


def test_data4_edits_the_other_workstation_did_not_touch_are_re_applied() -> None:
    """I changed the phone, they changed the address: both stand, and the version is theirs."""
    base = Form()
    mine = Form(phone="555-0100")
    theirs = Form(address="1 Elm St", version=2)
    result = reapply(base, mine, theirs)
    assert result.value == Form(phone="555-0100", address="1 Elm St", version=2)
    assert result.not_reapplied == ()


def test_data4_a_field_both_changed_keeps_theirs_and_is_named() -> None:
    """Both changed the phone (and a nested coverage field): theirs is kept, each named with its path."""
    base = Form()
    mine = Form(phone="555-0100", primary=Cover(used="10.00"))
    theirs = Form(phone="555-0199", primary=Cover(used="20.00"), version=3)
    result = reapply(base, mine, theirs)
    assert result.value.phone == "555-0199" and result.value.primary.used == "20.00"
    assert result.not_reapplied == ("phone", "primary.used")


def test_data4_the_same_edit_on_both_sides_is_no_clash() -> None:
    base = Form()
    both = Form(phone="555-0100", version=2)
    assert reapply(base, Form(phone="555-0100"), both) == reapply(base, both, both)
    assert reapply(base, Form(phone="555-0100"), both).not_reapplied == ()


texts = st.sampled_from(["", "a", "b", "c"])
forms = st.builds(
    Form, first=texts, phone=texts, address=texts, primary=st.builds(Cover, st.none() | st.integers(0, 2), texts)
)


@given(forms, forms, forms)
def test_data4_merge_properties(base: Form, mine: Form, theirs: Form) -> None:
    """Untouched by me: theirs; untouched by them: mine; clashes only where both changed differently."""
    result = reapply(base, mine, theirs)
    if mine == base:
        assert result.value == theirs and result.not_reapplied == ()
    if theirs == base:
        assert result.value == mine and result.not_reapplied == ()
    for name in ("first", "phone", "address"):
        b, m, t = getattr(base, name), getattr(mine, name), getattr(theirs, name)
        expected = t if m == b or (m != b and t != b and t != m) else m
        assert getattr(result.value, name) == expected
        assert (name in result.not_reapplied) == (m != b and t != b and t != m)
