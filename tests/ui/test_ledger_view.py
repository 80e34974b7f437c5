"""The Ledger view and the office aging report, driven as a person would (AGE-1..3, TX-INS-2, TX-VAL-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from acting import staff
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from sqlalchemy import Engine, select

from dentaldesk import clock
from dentaldesk.db.models import Account, Office
from dentaldesk.domain.money import format_money
from dentaldesk.services.access.login import login
from dentaldesk.services.claims.filing import claim_candidates, open_claims
from dentaldesk.services.ledger.aging import account_aging, office_aging
from dentaldesk.services.ledger.queries import account_ledger
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.kit.palette import ERROR as ERROR_COLOR
from dentaldesk.ui.kit.palette import SUCCESS as SUCCESS_COLOR
from dentaldesk.ui.ledger.dialogs import CreateClaimDialog, InsurancePaymentDialog, PaymentDialog
from dentaldesk.ui.ledger.view import LedgerView

LEFT = Qt.MouseButton.LeftButton
OLDEST_FIRST = ("over_90", "d61_90", "d31_60", "d0_30", "current")


def _login(engine: Engine, who: str = "owner") -> object:
    passwords = {"owner": "demo-owner", "frontdesk": "demo-front", "dentist": "demo-dentist"}
    return login(UnitOfWork.for_engine(engine), who, passwords[who], "ws-test")


@pytest.fixture
def owner_view(qtbot, demo_engine: Engine, make_ctx) -> LedgerView:
    view = LedgerView(make_ctx(demo_engine, _login(demo_engine)))
    qtbot.addWidget(view)
    view.resize(1180, 720)
    view.show()
    return view


def _office_id(engine: Engine) -> int:
    with UnitOfWork.for_engine(engine) as uow:
        return uow.session.scalar(select(Office.id).order_by(Office.id).limit(1))


def _account_owing(engine: Engine, at_least: Decimal = Decimal("10.00")):
    """A demo account whose oldest open bucket holds at least ``at_least``: (account id, bucket)."""
    for row in office_aging(UnitOfWork.for_engine(engine), staff(UnitOfWork.for_engine(engine))).rows:
        for bucket in OLDEST_FIRST:
            amount = getattr(row.buckets, bucket)
            if amount > 0:
                if amount >= at_least:
                    return row.account_id, bucket
                break
    pytest.fail("the demo practice has no account owing money")


def _open_payment(qtbot, view: LedgerView) -> PaymentDialog:
    qtbot.mouseClick(view.pay_button, LEFT)
    dialog = view.dialog
    assert isinstance(dialog, PaymentDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def test_age2_posting_a_payment_by_typing_updates_balance_and_the_oldest_bucket(
    qtbot, owner_view: LedgerView, demo_engine: Engine, shots: Path
) -> None:
    """AGE-2/AGE-3: a typed payment of 10.00 lowers the balance and the oldest bucket by 10.00."""
    account, oldest = _account_owing(demo_engine)
    owner_view.set_account(account)
    strip = owner_view.strip.values
    before = account_aging(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), account)
    assert strip["balance"].text() == format_money(before.balance)
    shown_before = {key: label.text() for key, label in strip.items()}
    dialog = _open_payment(qtbot, owner_view)
    qtbot.keyClicks(dialog.amount, "10.00")
    qtbot.mouseClick(dialog.action_button, LEFT)
    assert not dialog.isVisible()
    assert strip["balance"].text() == format_money(before.balance - 10)
    assert strip[oldest].text() == format_money(getattr(before, oldest) - 10)
    changed = [key for key, label in strip.items() if label.text() != shown_before[key]]
    assert changed == [oldest, "balance"]
    assert owner_view.message.isVisible() and "Payment of 10.00 posted" in owner_view.message.text()
    assert any(
        (r.dos, r.description, r.credit) == (clock.today(), "Payment - Cash", Decimal("10.00"))
        for r in owner_view.model.rows
    )
    owner_view.grab().save(str(shots / "ledger_after_payment.png"))


def test_bad_input_a_negative_payment_is_refused_at_the_amount_field(
    qtbot, owner_view: LedgerView, demo_engine: Engine
) -> None:
    """Bad input / TX-VAL-1: -20 is refused under the amount; the dialog stays open with the text; nothing posted."""
    account, _oldest = _account_owing(demo_engine)
    owner_view.set_account(account)
    rows_before = len(
        account_ledger(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), account)
    )
    dialog = _open_payment(qtbot, owner_view)
    qtbot.keyClicks(dialog.amount, "-20")
    qtbot.mouseClick(dialog.action_button, LEFT)
    error = dialog.errors["amount"]
    assert dialog.isVisible() and error.isVisible()
    assert "cannot be negative" in error.text()
    assert dialog.amount.text() == "-20"
    assert (
        len(account_ledger(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), account))
        == rows_before
    )
    dialog.reject()


def test_bad_input_an_overpayment_is_kept_and_shown_as_a_credit(
    qtbot, owner_view: LedgerView, demo_engine: Engine
) -> None:
    """Bad input: paying 25.00 more than the balance leaves a credit of 25.00, shown in the strip."""
    account, _oldest = _account_owing(demo_engine)
    owner_view.set_account(account)
    balance = account_aging(
        UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), account
    ).balance
    dialog = _open_payment(qtbot, owner_view)
    assert format_money(balance) in dialog.findChild(type(owner_view.message), "balance_hint").text()
    qtbot.keyClicks(dialog.amount, f"{balance + 25:.2f}")
    qtbot.mouseClick(dialog.action_button, LEFT)
    strip = owner_view.strip.values
    assert strip["credit"].text() == "25.00" and strip["balance"].text() == "-25.00"
    assert all(strip[key].text() == "0.00" for key in OLDEST_FIRST)
    assert "credit of 25.00" in owner_view.message.text()


def test_front_desk_sees_adjustment_disabled_with_the_reason(qtbot, demo_engine: Engine, make_ctx) -> None:
    """Ledger rule (adjustments: Owner/Admin): for front desk the button is disabled and says why."""
    view = LedgerView(make_ctx(demo_engine, _login(demo_engine, "frontdesk")))
    qtbot.addWidget(view)
    view.set_account(_account_owing(demo_engine)[0])
    assert not view.adjust_button.isEnabled()
    assert "Owner or Admin" in view.adjust_button.toolTip()
    assert view.pay_button.isEnabled()


def test_an_adjustment_without_a_reason_is_refused_at_the_reason(
    qtbot, owner_view: LedgerView, demo_engine: Engine
) -> None:
    """TX-VAL-1: no reason -> message under Reason; with one, the credit adjustment posts."""
    account, oldest = _account_owing(demo_engine)
    owner_view.set_account(account)
    before = account_aging(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), account)
    qtbot.mouseClick(owner_view.adjust_button, LEFT)
    dialog = owner_view.dialog
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.amount, "5")
    qtbot.mouseClick(dialog.action_button, LEFT)
    assert dialog.isVisible() and "Say why" in dialog.errors["reason"].text()
    qtbot.keyClicks(dialog.reason, "Courtesy")
    qtbot.mouseClick(dialog.action_button, LEFT)
    assert not dialog.isVisible()
    assert owner_view.strip.values["balance"].text() == format_money(before.balance - 5)
    assert "Credit adjustment of 5.00 posted" in owner_view.message.text()


def _account_with(engine: Engine, has) -> int:  # type: ignore[no-untyped-def]
    with UnitOfWork.for_engine(engine) as uow:
        accounts = uow.session.scalars(select(Account.id).order_by(Account.id)).all()
    for account in accounts:
        if has(account):
            return account
    pytest.fail("the demo practice lacks the account this test needs")


def test_tx_ins2_create_claim_files_the_procedures_and_lists_the_claim(
    qtbot, owner_view: LedgerView, demo_engine: Engine, shots: Path
) -> None:
    """TX-INS-2: Create claim shows the waiting procedures; File claim adds it to Open claims."""
    account = _account_with(
        demo_engine,
        lambda a: bool(
            claim_candidates(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), a)
        ),
    )
    owner_view.set_account(account)
    claims_before = owner_view.claims_model.rowCount()
    qtbot.mouseClick(owner_view.claim_button, LEFT)
    dialog = owner_view.dialog
    assert isinstance(dialog, CreateClaimDialog)
    qtbot.addWidget(dialog)
    assert dialog.charges_model.rowCount() >= 1 and dialog.coverage.count() >= 1
    dialog.grab().save(str(shots / "create_claim_dialog.png"))
    qtbot.mouseClick(dialog.action_button, LEFT)
    assert not dialog.isVisible()
    assert owner_view.claims_model.rowCount() == claims_before + 1
    assert owner_view.message.text().startswith("Claim ") and " filed for " in owner_view.message.text()
    assert owner_view.insurance_button.isEnabled()


def test_tx_age3_a_final_insurance_payment_completes_the_claim(
    qtbot, owner_view: LedgerView, demo_engine: Engine, shots: Path
) -> None:
    """TX-AGE-3/4: posting the estimates as the final payment closes the claim; it leaves Open claims."""
    account = _account_with(
        demo_engine,
        lambda a: bool(open_claims(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), a)),
    )
    owner_view.set_account(account)
    count = owner_view.claims_model.rowCount()
    qtbot.mouseClick(owner_view.insurance_button, LEFT)
    dialog = owner_view.dialog
    assert isinstance(dialog, InsurancePaymentDialog)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.fill, LEFT)
    assert all(edit.text() for edit in dialog.paid_edits.values())
    dialog.grab().save(str(shots / "insurance_payment_dialog.png"))
    assert dialog.final.isChecked()
    qtbot.mouseClick(dialog.action_button, LEFT)
    assert not dialog.isVisible()
    assert owner_view.claims_model.rowCount() == count - 1
    assert "The claim is complete" in owner_view.message.text()


def test_tx_val1_the_message_line_shows_refusals_in_red_and_what_was_done_in_green(
    qtbot, owner_view: LedgerView, demo_engine: Engine, shots: Path
) -> None:
    """TX-VAL-1: Enter on a payment row is refused in the error colour; a payment posted says so in
    green; Post charge with no patient chosen is refused in red again."""
    account, _oldest = _account_owing(demo_engine)
    owner_view.set_account(account)
    dialog = _open_payment(qtbot, owner_view)
    qtbot.keyClicks(dialog.amount, "10.00")
    qtbot.mouseClick(dialog.action_button, LEFT)
    message = owner_view.message
    assert "Payment of 10.00 posted" in message.text() and _colour(message) == SUCCESS_COLOR
    payment = next(i for i, row in enumerate(owner_view.model.rows) if row.credit == Decimal("10.00"))
    owner_view.table.setCurrentIndex(owner_view.model.index(payment, 0))
    owner_view.table.setFocus()
    QTest.keyClick(owner_view.table, Qt.Key.Key_Return)
    assert message.text() == "Only a procedure charge opens in the Patient Transactions window."
    assert message.isVisible() and _colour(message) == ERROR_COLOR
    owner_view.grab().save(str(shots / "ledger_message_refused.png"))
    qtbot.mouseClick(owner_view.charge_button, LEFT)
    assert message.text().startswith("Choose the patient under Patients first") and _colour(message) == ERROR_COLOR


def _colour(label: QLabel) -> str:
    """The colour the label's text is drawn in."""
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def test_no_account_chosen_says_what_to_do(qtbot, demo_engine: Engine, make_ctx) -> None:
    """Empty state: with no patient chosen the view says to choose one, and offers the office report."""
    view = LedgerView(make_ctx(demo_engine, _login(demo_engine)))
    qtbot.addWidget(view)
    view.set_account(None)
    assert view.stack.currentWidget() is view.empty
    assert "Choose a patient under Patients" in view.empty.label.text()
    assert view.report_button.isEnabled()


def _wait_report(qtbot, view: LedgerView) -> None:
    qtbot.waitUntil(lambda: view.report is not None and not view.report.busy.isVisible(), timeout=20000)


def test_age3_report_cells_show_each_accounts_aging_to_the_cent(
    qtbot, owner_view: LedgerView, demo_engine: Engine
) -> None:
    """AGE-1..3, MONEY-1: the report's lines keep integer cents, and each cell shown is the pure
    rule's Decimal for that account (account_aging) through the one money formatter: a zero bucket
    blank, the balance always; the totals line shows the sums of the accounts' amounts."""
    qtbot.mouseClick(owner_view.report_button, LEFT)
    _wait_report(qtbot, owner_view)
    report = owner_view.report
    qtbot.addWidget(report)
    model = report.model
    model.fetch_all()
    uow = UnitOfWork.for_engine(demo_engine)
    actor = staff(uow)
    buckets = ("current", "d0_30", "d31_60", "d61_90", "over_90", "credit")
    sums = dict.fromkeys(buckets, Decimal("0.00"))
    for n in range(model.total_rows - 1):
        line = model.row(n)
        assert all(type(cents) is int for cents in line.cents)
        expected = account_aging(uow, actor, line.account_id, report.report.as_of)
        amounts = [getattr(expected, name) for name in buckets]
        shown = [model.data(model.index(n, column)) for column in range(2, 9)]
        assert shown == [*("" if a == 0 else format_money(a) for a in amounts), format_money(expected.balance)]
        for name, amount in zip(buckets, amounts, strict=True):
            sums[name] += amount
    assert model.total_rows > 2  # the demo has accounts owing
    last = model.total_rows - 1
    totals = [model.data(model.index(last, column)) for column in range(2, 8)]
    assert totals == ["" if a == 0 else format_money(a) for a in sums.values()]
    balance = sum(list(sums.values())[:5], Decimal("0.00")) - sums["credit"]
    assert model.data(model.index(last, 8)) == format_money(balance)


def test_age1_office_aging_report_as_of_a_typed_date(
    qtbot, owner_view: LedgerView, demo_engine: Engine, shots: Path
) -> None:
    """AGE-1..3: the report lists every account with a balance and the totals; typing a date re-ages it."""
    qtbot.mouseClick(owner_view.report_button, LEFT)
    _wait_report(qtbot, owner_view)
    report = owner_view.report
    qtbot.addWidget(report)
    expected = office_aging(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)))
    assert report.model.rowCount() == len(expected.rows) + 1
    last = report.model.rowCount() - 1
    assert report.model.data(report.model.index(last, 0)) == "Total"
    assert report.model.data(report.model.index(last, 8)) == format_money(expected.totals.balance)
    assert f"{len(expected.rows)} accounts with a balance" in report.summary.text()
    report.grab().save(str(shots / "office_aging_report.png"))

    earlier = clock.today() - dt.timedelta(days=120)
    report.as_of.setFocus()
    report.as_of.setSelectedSection(report.as_of.Section.YearSection)
    qtbot.keyClicks(report.as_of, earlier.strftime("%Y%m%d"))
    assert report.as_of.date().toPython() == earlier
    _wait_report(qtbot, owner_view)
    then = office_aging(UnitOfWork.for_engine(demo_engine), staff(UnitOfWork.for_engine(demo_engine)), earlier)
    assert report.report is not None and report.report.as_of == earlier
    assert [report.model.data(report.model.index(n, 0)) for n in range(len(then.rows))] == [
        r.account_number for r in then.rows
    ]
    assert report.summary.text().startswith(f"As of {earlier:%Y-%m-%d}")


def test_office_aging_before_any_charge_says_nothing_was_owed(qtbot, owner_view: LedgerView) -> None:
    """Empty state: a date before the practice's first charge shows that nothing was owed, and what to do."""
    qtbot.mouseClick(owner_view.report_button, LEFT)
    _wait_report(qtbot, owner_view)
    report = owner_view.report
    qtbot.addWidget(report)
    report.as_of.setDate(dt.date(2001, 1, 1))
    _wait_report(qtbot, owner_view)
    assert report.stack.currentWidget() is report.empty
    assert "No account had a balance on 2001-01-01" in report.empty.label.text()


def test_age3_the_open_report_follows_a_payment_posted_in_the_ledger(
    qtbot, owner_view: LedgerView, demo_engine: Engine
) -> None:
    """AGE-3: with the report open, a payment posted in the Ledger lowers the report's total balance."""
    account, _oldest = _account_owing(demo_engine)
    owner_view.set_account(account)
    qtbot.mouseClick(owner_view.report_button, LEFT)
    _wait_report(qtbot, owner_view)
    report = owner_view.report
    qtbot.addWidget(report)
    before = report.report.totals.balance
    dialog = _open_payment(qtbot, owner_view)
    qtbot.keyClicks(dialog.amount, "7.50")
    qtbot.mouseClick(dialog.action_button, LEFT)
    qtbot.waitUntil(lambda: report.report is not None and report.report.totals.balance == before - Decimal("7.50"))
    _wait_report(qtbot, owner_view)
