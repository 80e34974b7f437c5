"""CASE-1: a plan's options, their choice and what stays read-only, as pure rules."""

from __future__ import annotations

import pytest

from dentaldesk.domain.errors import RuleViolation, ValidationError
from dentaldesk.domain.options import (
    NOT_CHOSEN,
    OptionFacts,
    check_can_add_option,
    check_can_choose,
    check_can_remove_option,
    check_option_editable,
    check_option_name,
    counted_option,
    default_option_name,
    is_not_chosen,
    option_state,
)

IMPLANT = OptionFacts(1, "Implant", 1, item_count=3)
BRIDGE = OptionFacts(2, "Bridge", 2, item_count=4)
EMPTY = OptionFacts(3, "Option C", 3, item_count=0)


def chosen(option: OptionFacts) -> OptionFacts:
    return OptionFacts(option.id, option.name, option.position, True, option.item_count)


def test_case1_before_the_choice_the_first_option_stands_for_the_plan() -> None:
    """CASE-1: lists and reports count the first option of a presented plan, never the sum."""
    assert counted_option([BRIDGE, IMPLANT]).id == IMPLANT.id
    assert option_state([IMPLANT, BRIDGE], BRIDGE.id) == ""


def test_case1_once_chosen_the_chosen_option_stands_for_the_plan() -> None:
    """CASE-1: after the approval the chosen option is the plan, whatever its position."""
    options = [IMPLANT, chosen(BRIDGE)]
    assert counted_option(options).id == BRIDGE.id
    assert option_state(options, BRIDGE.id) == "chosen"
    assert option_state(options, IMPLANT.id) == NOT_CHOSEN
    assert is_not_chosen(options, IMPLANT.id)


def test_case1_a_not_chosen_option_is_read_only() -> None:
    """CASE-1: a not-chosen option cannot be changed; the chosen one can (TP-12)."""
    options = [IMPLANT, chosen(BRIDGE)]
    with pytest.raises(RuleViolation, match='"Implant" was not chosen'):
        check_option_editable(options, IMPLANT.id)
    check_option_editable(options, BRIDGE.id)
    check_option_editable([IMPLANT, BRIDGE], IMPLANT.id)


def test_case1_an_option_with_no_items_cannot_be_approved() -> None:
    """CASE-1 (bad input): approving an empty option is refused at the option."""
    with pytest.raises(RuleViolation, match="no items") as refused:
        check_can_choose([IMPLANT, EMPTY], EMPTY.id)
    assert refused.value.field == "option"


def test_case1_a_plan_of_several_options_needs_the_choice_named() -> None:
    """CASE-1: with two options the approval says which one; one option goes without saying."""
    with pytest.raises(ValidationError, match="Choose the option"):
        check_can_choose([IMPLANT, BRIDGE], None)
    assert check_can_choose([IMPLANT], None).id == IMPLANT.id
    assert check_can_choose([IMPLANT, BRIDGE], BRIDGE.id).id == BRIDGE.id


def test_case1_a_new_approval_is_of_the_chosen_option_only() -> None:
    """CASE-1, TP-12: a re-approval cannot switch to a not-chosen option."""
    options = [chosen(IMPLANT), BRIDGE]
    assert check_can_choose(options, IMPLANT.id).id == IMPLANT.id
    with pytest.raises(RuleViolation, match='"Bridge" was not chosen'):
        check_can_choose(options, BRIDGE.id)


def test_case1_options_are_added_only_before_the_choice() -> None:
    """CASE-1: once the patient chose, no option is added."""
    check_can_add_option([IMPLANT])
    with pytest.raises(RuleViolation, match="no option can be added"):
        check_can_add_option([chosen(IMPLANT), BRIDGE])


def test_case1_removing_keeps_one_option_and_the_decided_ones() -> None:
    """CASE-1: the last option stays; chosen and not-chosen options are kept with the approval."""
    with pytest.raises(RuleViolation, match="at least one option"):
        check_can_remove_option([IMPLANT], IMPLANT.id)
    check_can_remove_option([IMPLANT, BRIDGE], BRIDGE.id)
    with pytest.raises(RuleViolation, match="approved"):
        check_can_remove_option([chosen(IMPLANT), BRIDGE], IMPLANT.id)
    with pytest.raises(RuleViolation, match="not chosen"):
        check_can_remove_option([chosen(IMPLANT), BRIDGE], BRIDGE.id)


def test_case1_option_names_are_given_checked_and_unique() -> None:
    """CASE-1: a blank name is refused at the field, a taken one too (letter case ignored)."""
    assert default_option_name([]) == "Option A"
    assert default_option_name([OptionFacts(1, "Option A", 1)]) == "Option B"
    assert check_option_name("  Implant   crown ", [BRIDGE]) == "Implant crown"
    with pytest.raises(ValidationError) as blank:
        check_option_name("  ", [BRIDGE])
    assert blank.value.field == "option_name"
    with pytest.raises(ValidationError, match="already has"):
        check_option_name("bridge", [IMPLANT, BRIDGE])
    assert check_option_name("BRIDGE", [IMPLANT, BRIDGE], renaming=BRIDGE.id) == "BRIDGE"
    with pytest.raises(ValidationError, match="at most 60"):
        check_option_name("x" * 61, [])
