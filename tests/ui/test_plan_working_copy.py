"""The editor's working copy without any window: what Save draft sends, and undo across a save (DATA-1, TP-7, TP-8)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from plan_rows import row, view
from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest

from dentaldesk.domain.terms import Category
from dentaldesk.services.plans import New, PlanChanges
from dentaldesk.ui.plans.signature_pad import SignaturePad
from dentaldesk.ui.plans.working_copy import WorkingItem, WorkingPlan


def key_of(plan: WorkingPlan, item_id: int) -> int:
    return next(key for key, db_id in plan.ids.items() if db_id == item_id)


def extraction_implant_exam() -> WorkingPlan:
    """An extraction (item 10), the implant that waits for it (11) and an exam (12)."""
    return WorkingPlan.load(
        view(
            row(10, "D7140", "185", tooth="19"),
            row(11, "D6010", "2300", tooth="19", prerequisites=(10,)),
            row(12, "D0120", "65"),
        )
    )


def new_item(plan: WorkingPlan, code: str, fee: str) -> WorkingItem:
    values = replace(row(0, code, fee), name=code, category=Category.DIAGNOSTIC, rtu=15, visit=2)
    return WorkingItem.of(replace(values, sequence=plan.sequence_after()), plan.new_key())


def test_an_untouched_working_copy_has_nothing_to_save() -> None:
    """DATA-1: a plan opened and not changed saves nothing (Save draft only records the save)."""
    plan = WorkingPlan.load(
        view(row(10, "D7140", "185", tooth="19"), row(11, "D6010", "2300", tooth="19", prerequisites=(10,)))
    )
    assert plan.changes() == PlanChanges() and not plan.is_dirty()
    assert plan.total() == Decimal("2485.00")


def test_every_kind_of_edit_becomes_one_batch_with_new_items_named_by_key() -> None:
    """DATA-1/TP-8: a fee change, a removal, a new item linked to a saved one, an unlink."""
    plan = extraction_implant_exam()
    ext, implant, exam = (key_of(plan, i) for i in (10, 11, 12))
    plan.replace_item(replace(plan.item(implant), fee=Decimal("2000.00")))
    plan.remove(exam)
    added = new_item(plan, "D0220", "35")
    plan.add(added)
    plan.link(added.key, ext)
    plan.unlink(implant, ext)
    changes = plan.changes()
    assert changes.removed == (12,)
    assert [(n.key, n.item.code) for n in changes.added] == [(added.key, "D0220")]
    assert [(c.item_id, c.item.fee) for c in changes.changed] == [(11, Decimal("2000.00"))]
    assert changes.unlinked == ((11, 10),)
    assert changes.linked == ((New(added.key), 10),)
    assert plan.total() == Decimal("2220.00")  # TP-7
    assert plan.total_with_fee(implant, Decimal("1000")) == Decimal("1220.00")


def test_tx_tax2_an_items_taxable_and_insurable_choices_are_saved_and_loaded_back() -> None:
    """TX-TAX-2/TX-INS-1: unticking Taxable or Insurable alone is a change Save draft sends; a plan loaded
    with the choices keeps them, and the Insurable choice takes the item out of the estimate."""
    plan = WorkingPlan.load(view(row(10, "D2391", "195", tooth="3")))
    filling = key_of(plan, 10)
    plan.replace_item(replace(plan.item(filling), taxable_override=False, insurable_override=False))
    [change] = plan.changes().changed
    assert (change.item_id, change.item.taxable_override, change.item.insurable_override) == (10, False, False)
    assert not plan.item(filling).claimed
    saved = WorkingPlan.load(view(replace(row(10, "D2391", "195", tooth="3"), taxable_override=False)))
    assert saved.item(key_of(saved, 10)).taxable_override is False and not saved.is_dirty()


def test_undoing_a_removal_puts_the_item_and_its_links_back() -> None:
    """TP-8: remove then restore (what undo does) leaves nothing to save."""
    plan = WorkingPlan.load(
        view(row(10, "D7140", "185", tooth="19"), row(11, "D6010", "2300", tooth="19", prerequisites=(10,)))
    )
    ext, implant = key_of(plan, 10), key_of(plan, 11)
    item, dependents = plan.remove(ext)
    assert plan.item(implant).prerequisites == frozenset() and plan.changes().removed == (10,)
    plan.restore(item, dependents)
    assert plan.item(implant).prerequisites == frozenset({ext}) and plan.changes().is_empty


def test_keys_survive_a_save_so_undo_after_saving_names_the_saved_item() -> None:
    """Undo across a save: a new item saved as id 20 keeps its key; removing it later removes id 20."""
    first = WorkingPlan.load(view(row(10, "D7140", "185", tooth="19")))
    added = new_item(first, "D0120", "65")
    first.add(added)
    first.adopt_saved(first.changes(), {added.key: 20})
    second = WorkingPlan.load(view(row(10, "D7140", "185", tooth="19"), row(20, "D0120", "65"), version=4), first)
    assert second.item(added.key).code == "D0120" and second.changes().is_empty
    removed, _ = second.remove(added.key)
    assert second.changes().removed == (20,)
    second.restore(removed, [])
    assert second.changes().is_empty


def test_data5_an_undone_removal_comes_back_as_a_new_item_even_if_its_id_was_given_to_another() -> None:
    """DATA-5: add B, remove Y (the newest item), save; the database gives B the id Y had (what SQLite
    did without AUTOINCREMENT); undo "Remove Y", save again: Y is added anew and B is left alone."""
    plan = WorkingPlan.load(view(row(10, "D7140", "185", tooth="19"), row(11, "D0120", "65")))
    y = key_of(plan, 11)
    b = new_item(plan, "D1110", "125")
    plan.add(b)
    removed_y, dependents = plan.remove(y)
    sent = plan.changes()
    assert sent.removed == (11,) and [n.key for n in sent.added] == [b.key]
    plan.adopt_saved(sent, {b.key: 11})  # the reused id
    plan = WorkingPlan.load(view(row(10, "D7140", "185", tooth="19"), row(11, "D1110", "125"), version=2), plan)
    assert plan.item(b.key).code == "D1110" and plan.changes().is_empty
    plan.restore(removed_y, dependents)  # undo "Remove D0120"
    again = plan.changes()
    assert again.removed == () and again.changed == ()
    assert [(n.key, n.item.code) for n in again.added] == [(y, "D0120")]


def test_tp15_the_signature_pad_takes_touch_as_well_as_the_mouse(qtbot) -> None:
    """TP-15: a finger on a touch screen signs too; the export is a PNG."""
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.show()
    qtbot.waitExposed(pad)
    device = QTest.createTouchDevice()
    QTest.touchEvent(pad, device).press(0, QPoint(20, 60)).commit()
    for x in range(30, 200, 20):
        QTest.touchEvent(pad, device).move(0, QPoint(x, 50 + x % 30)).commit()
    QTest.touchEvent(pad, device).release(0, QPoint(210, 60)).commit()
    assert not pad.is_empty()
    assert pad.png_bytes().startswith(b"\x89PNG")
    assert pad.accessibleDescription().startswith("Signed")


def test_tp7_tp16_the_items_facts_are_computed_once_per_state_and_every_change_computes_them_again(
    monkeypatch,
) -> None:
    """TP-7, TP-16, TP-5, TP-12: a redraw's readers (total, progress, approval problems, the raised
    total, the blocked items, plan order, unsaved changes) share one computation of the items'
    facts; each edit makes the next reader see the plan as edited, computed once again."""
    computed: list[int] = []
    own_facts = WorkingItem.facts

    def counted(item: WorkingItem):
        computed.append(item.key)
        return own_facts(item)

    monkeypatch.setattr(WorkingItem, "facts", counted)
    plan = extraction_implant_exam()
    ext, implant, exam = (key_of(plan, i) for i in (10, 11, 12))

    def read_all() -> tuple[object, ...]:
        return (
            plan.total(),
            plan.progress().total_items,
            plan.approval_problems(),
            plan.needs_reapproval(),
            plan.blocked_keys(),
            [i.key for i in plan.ordered()],
            plan.is_dirty(),
            plan.facts(),
        )

    first = read_all()
    assert sorted(computed) == sorted([ext, implant, exam])  # one computation, many readers
    assert read_all() == first and len(computed) == 3  # nothing changed: nothing computed again

    edits = [
        lambda: plan.replace_item(replace(plan.item(implant), fee=Decimal("2000.00"))),
        lambda: plan.link(exam, ext),
        lambda: plan.unlink(exam, ext),
        lambda: plan.remove(exam),
        lambda: plan.add(new_item(plan, "D0220", "35")),
    ]
    totals = []
    for edit in edits:
        computed.clear()
        edit()
        totals.append(read_all()[0])
        assert len(computed) == len(plan.items)  # the plan as edited, computed once
    assert totals == [Decimal("2250.00")] * 3 + [Decimal("2185.00"), Decimal("2220.00")]
    assert plan.is_dirty() and [n.item.code for n in plan.changes().added] == ["D0220"]
    removed, dependents = plan.remove(implant)
    plan.restore(removed, dependents)
    assert [i.key for i in plan.ordered()][:2] == [ext, implant] and plan.total() == Decimal("2220.00")
    with pytest.raises(TypeError):  # only the editing methods change the items (each forgets what was computed)
        plan.items[exam] = plan.item(ext)
