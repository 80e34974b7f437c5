"""`dentaldesk aging`: the office aging report for the bookkeeper (AGE-1..3)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from money_practice import TODAY, MoneyPractice

from dentaldesk import clock
from dentaldesk.cli import main
from dentaldesk.services.ledger.posting import post_charge, post_payment


@pytest.fixture(autouse=True)
def _front_desk_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command logs in like the app (SEC-3); the password comes from the environment."""
    monkeypatch.setenv("DENTALDESK_PASSWORD", "front-pass-1")


def _url(m: MoneyPractice) -> str:
    return str(m.engine.url)


@pytest.fixture
def billed(money: MoneyPractice) -> MoneyPractice:
    """Account A1: a 1,350.00 crown aged 100 days, a 180.00 filling aged 40 days, 400.00 paid.

    By hand (AGE-2): 400 pays the crown's oldest first -> over 90 950.00, 31-60 180.00,
    balance 1,130.00. Account 2 (Peter Brown, patient 5 moved to it) overpaid 20.00 on 65.00:
    credit 20.00, balance -20.00.
    """
    from dentaldesk.db.models import Account, Patient

    with money.uow:
        s = money.uow.session
        other = Account(office_id=money.base.office_id, account_number="A2")
        s.add(other)
        s.flush()
        s.get(Patient, money.base.patient_ids[4]).account_id = other.id
        other.guarantor_id = money.base.patient_ids[4]
        money.other_account = other.id
        money.uow.commit()

    def charge(patient: int, code: str, fee: str, days: int) -> None:
        post_charge(
            money.uow,
            money.front_desk,
            patient_id=patient,
            procedure_code_id=money.code_ids[code],
            fee=fee,
            dos=TODAY - dt.timedelta(days=days),
            today=TODAY,
            back_dating_confirmed=True,
        )

    charge(money.patient_id, "D2740", "1350.00", 100)
    charge(money.patient_id, "D2391", "180.00", 40)
    post_payment(money.uow, money.front_desk, account_id=money.account_id, amount="400", paid_on=TODAY, today=TODAY)
    charge(money.base.patient_ids[4], "D0120", "65.00", 10)
    post_payment(money.uow, money.front_desk, account_id=money.other_account, amount="85", paid_on=TODAY, today=TODAY)
    return money


def test_aging_prints_one_row_per_account_with_a_balance_and_the_totals(billed: MoneyPractice, capsys) -> None:
    """AGE-2/AGE-3: the table lists A1 and A2 with their buckets and a totals row; exit code 0."""
    assert main(["aging", "--user", "front", "--url", _url(billed), "--as-of", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Office aging report - Test Dental (TST01) as of 2025-06-30"
    assert out[1].split() == [
        "Account",
        "Guarantor",
        "Current",
        "0-30",
        "31-60",
        "61-90",
        "Over",
        "90",
        "Credit",
        "Balance",
    ]
    assert out[2].split() == ["A1", "Anna", "Smith", "0.00", "0.00", "180.00", "0.00", "950.00", "0.00", "1,130.00"]
    assert out[3].split() == ["A2", "Peter", "Brown", "0.00", "0.00", "0.00", "0.00", "0.00", "20.00", "-20.00"]
    assert set(out[4]) == {"-"}
    assert out[5].split() == ["Total", "2", "accounts", "0.00", "0.00", "180.00", "0.00", "950.00", "20.00", "1,110.00"]


def test_aging_csv_is_plain_figures_a_spreadsheet_reads(billed: MoneyPractice, capsys) -> None:
    """AGE-3: --csv writes a header, the accounts and the totals, amounts without thousands commas."""
    assert main(["aging", "--user", "front", "--url", _url(billed), "--as-of", "2025-06-30", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["Account"] for r in rows] == ["A1", "A2", "Total"]
    assert rows[0]["Over 90"] == "950.00" and rows[0]["Balance"] == "1130.00"
    assert rows[2]["Balance"] == "1110.00" and rows[2]["Credit"] == "20.00"


def test_aging_as_of_an_earlier_date_shows_the_ledger_as_it_stood(billed: MoneyPractice, capsys) -> None:
    """AGE-1: 50 days ago only the crown was posted, aged 50 days: 1,350.00 in 31-60."""
    assert main(["aging", "--user", "front", "--url", _url(billed), "--as-of", "2025-05-11", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["Account"], r["31-60"], r["Balance"]) for r in rows] == [
        ("A1", "1350.00", "1350.00"),
        ("Total", "1350.00", "1350.00"),
    ]


def test_aging_a_bad_date_gives_one_line_and_exit_code_2(billed: MoneyPractice, capsys) -> None:
    """Bad input: --as-of 2025-02-30 prints one line on stderr, nothing on stdout, exit code 2 (usage)."""
    assert main(["aging", "--user", "front", "--url", _url(billed), "--as-of", "2025-02-30"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "dentaldesk: argument --as-of: '2025-02-30' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31 "
        "(see 'dentaldesk aging --help')."
    ]


def test_aging_on_an_empty_database_says_there_is_no_practice(engine, capsys) -> None:
    """Bad input: a migrated database without a practice gives one line and exit code 1."""
    assert main(["aging", "--url", str(engine.url)]) == 1
    assert capsys.readouterr().err.splitlines() == ["dentaldesk: This database holds no practice yet."]


def test_aging_defaults_to_today(billed: MoneyPractice, capsys) -> None:
    """AGE-1: without --as-of the report is as of today."""
    assert main(["aging", "--user", "front", "--url", _url(billed)]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(f"as of {clock.today().isoformat()}")


def test_sec3_aging_needs_a_login(billed: MoneyPractice, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """SEC-3: no user (and no terminal to ask on: exit 2), or a wrong password (exit 1), prints no
    guarantor's name; one line on stderr."""
    assert main(["aging", "--url", _url(billed)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "dentaldesk: aging logs in as the app does: give your user name with --user NAME and the password in "
        "the DENTALDESK_PASSWORD environment variable (there is no terminal to ask on)."
    ]
    monkeypatch.setenv("DENTALDESK_PASSWORD", "not-the-password")
    assert main(["aging", "--user", "front", "--url", _url(billed)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "not right" in captured.err
