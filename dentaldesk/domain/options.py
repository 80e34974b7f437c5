"""Plan options (DOMAIN.md CASE-1): one plan, two or more ways to treat the same need.

Pure rules over :class:`OptionFacts`. A plan has at least one option; the patient's approval
chooses one. Until then every option can be edited, and the plan's figures in lists and reports
(billing summary, Follow-up, the acceptance report, completion) are its *counted* option's: the
first one. Once an option is chosen, it is the plan, and the others are "not chosen": kept as
they were, read-only, none of their items completed.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

from dentaldesk.domain.errors import RuleViolation, ValidationError

NAME_MAX = 60
NOT_CHOSEN = "not chosen"
CHOSEN = "chosen"


@dataclass(frozen=True)
class OptionFacts:
    """One option of a plan as the rules see it."""

    id: int
    name: str
    position: int
    chosen: bool = False
    item_count: int = 0


def ordered(options: Sequence[OptionFacts]) -> list[OptionFacts]:
    """Options left to right, as the editor and the handout show them."""
    return sorted(options, key=lambda o: (o.position, o.id))


def chosen_option(options: Sequence[OptionFacts]) -> OptionFacts | None:
    """The option the patient approved, if any (CASE-1)."""
    return next((o for o in ordered(options) if o.chosen), None)


def counted_option(options: Sequence[OptionFacts]) -> OptionFacts:
    """The option whose figures stand for the plan: the chosen one, else the first (CASE-1)."""
    if not options:
        raise RuleViolation("This plan has no option any more. Reopen the plan and try again.")
    return chosen_option(options) or ordered(options)[0]


def is_not_chosen(options: Sequence[OptionFacts], option_id: int) -> bool:
    """True for an option left aside by the patient's choice of another (CASE-1)."""
    chosen = chosen_option(options)
    return chosen is not None and chosen.id != option_id


def option_state(options: Sequence[OptionFacts], option_id: int) -> str:
    """ "chosen", "not chosen" or "" (no choice made yet), as the editor and handout label it."""
    chosen = chosen_option(options)
    if chosen is None:
        return ""
    return CHOSEN if chosen.id == option_id else NOT_CHOSEN


def find_option(options: Sequence[OptionFacts], option_id: int) -> OptionFacts:
    for option in options:
        if option.id == option_id:
            return option
    raise RuleViolation("That option is not part of this plan any more. Reopen the plan and try again.", "option")


def check_option_editable(options: Sequence[OptionFacts], option_id: int) -> None:
    """CASE-1: a not-chosen option is kept as it was presented; nothing in it changes."""
    option = find_option(options, option_id)
    if is_not_chosen(options, option_id):
        chosen = chosen_option(options)
        assert chosen is not None
        raise RuleViolation(
            f'"{option.name}" was not chosen: the patient approved "{chosen.name}". '
            "A not-chosen option is kept as it was presented and cannot be changed.",
            "option",
        )


def check_option_name(name: str, options: Sequence[OptionFacts], renaming: int | None = None) -> str:
    """An option's name: not empty, at most NAME_MAX characters, not another option's name."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError('Give the option a name, e.g. "Implant" or "Bridge".', "option_name")
    if len(cleaned) > NAME_MAX:
        raise ValidationError(f"An option's name has at most {NAME_MAX} characters.", "option_name")
    for other in options:
        if other.id != renaming and other.name.casefold() == cleaned.casefold():
            raise ValidationError(f'This plan already has an option named "{other.name}".', "option_name")
    return cleaned


def default_option_name(options: Sequence[OptionFacts]) -> str:
    """The new option's letter by its place ("Option C" for a third), or the next one free."""
    taken = {o.name.casefold() for o in options}
    for letter in string.ascii_uppercase[len(options) :]:
        name = f"Option {letter}"
        if name.casefold() not in taken:
            return name
    n = len(options) + 1
    while f"option {n}" in taken:
        n += 1
    return f"Option {n}"


def check_can_add_option(options: Sequence[OptionFacts]) -> None:
    """CASE-1: options are presented before the patient chooses; after that the plan is the chosen one."""
    chosen = chosen_option(options)
    if chosen is not None:
        raise RuleViolation(
            f'The patient chose "{chosen.name}"; no option can be added after the choice. Start a new plan instead.',
            "option",
        )


def check_can_remove_option(options: Sequence[OptionFacts], option_id: int) -> None:
    """The last option stays (a plan has at least one); the chosen and the not-chosen ones are
    kept with the approval that decided between them (CASE-1)."""
    option = find_option(options, option_id)
    if len(options) <= 1:
        raise RuleViolation("A plan keeps at least one option; this is its only one.", "option")
    if option.chosen:
        raise RuleViolation(f'"{option.name}" is the option the patient approved; it cannot be removed.', "option")
    check_option_editable(options, option_id)


def check_can_choose(options: Sequence[OptionFacts], option_id: int | None) -> OptionFacts:
    """The option an approval records (CASE-1, TP-5): named when the plan has several, holding
    items, and the chosen one again for a new approval of an approved plan."""
    if option_id is None:
        if len(options) > 1:
            raise ValidationError("Choose the option the patient approves.", "option")
        option = ordered(options)[0]
    else:
        option = find_option(options, option_id)
    chosen = chosen_option(options)
    if chosen is not None and chosen.id != option.id:
        raise RuleViolation(
            f'The patient chose "{chosen.name}"; "{option.name}" was not chosen. To change the choice, '
            "start a new plan with that option.",
            "option",
        )
    if option.item_count == 0 and len(options) == 1:
        raise RuleViolation("Add at least one item before the plan can be approved.")  # TP-5
    if option.item_count == 0:
        raise RuleViolation(
            f'"{option.name}" has no items; an option with no items cannot be approved. Add its items first.',
            "option",
        )
    return option
