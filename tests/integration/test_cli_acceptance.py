"""`dentaldesk report acceptance`: the case acceptance report on the command line (CASE-6, SEC-3)."""

from __future__ import annotations

import datetime as dt

import pytest

from dentaldesk.cli import main


@pytest.fixture
def presented(case_desk, monkeypatch: pytest.MonkeyPatch):
    """Two plans in March (one accepted), one in April; the front desk logs in from the environment."""
    monkeypatch.setenv("DENTALDESK_PASSWORD", "front-pass-1")
    d = case_desk
    d.plan(0, "Crowns", [("D2740", "14", "1200.00")], presented=dt.date(2026, 3, 3), approved=dt.date(2026, 3, 10))
    d.plan(1, "Implant", [("D6010", "19", "2400.00")], presented=dt.date(2026, 3, 20))
    d.plan(2, "Cleaning", [("D1110", "", "95.00")], provider=d.hygienist, presented=dt.date(2026, 4, 2))
    return str(d.p.engine.url)


def test_case6_report_acceptance_prints_the_table_with_the_total(presented, capsys) -> None:
    """CASE-6: one line per month and provider, then the period's total; logs in as the app does."""
    code = main(
        ["report", "acceptance", "--from", "2026-03-01", "--to", "2026-04-30", "--url", presented, "--user", "front"]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "Case acceptance - Test Dental (TST01), 2026-03-01 to 2026-04-30"
    assert out[2].split() == ["2026-03", "Dr.", "Dana", "Dent", "2", "3600.00", "1", "1200.00", "50.0", "33.3"]
    assert out[3].split()[:2] == ["2026-04", "Dr."] and out[3].split()[-6:-4] == ["1", "95.00"]
    assert out[-1].split() == ["Total", "All", "providers", "3", "3695.00", "1", "1200.00", "33.3", "32.5"]


def test_case6_report_acceptance_csv(presented, capsys) -> None:
    """CASE-6: --csv writes the same cells for a spreadsheet."""
    assert (
        main(
            [
                "report",
                "acceptance",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--csv",
                "--url",
                presented,
                "--user",
                "front",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "Month,Provider,Presented,Presented amount,Accepted,Accepted amount,Accepted %,Amount accepted %",
        "2026-03,Dr. Dana Dent,2,3600.00,1,1200.00,50.0,33.3",
        "Total,All providers,2,3600.00,1,1200.00,50.0,33.3",
    ]


@pytest.mark.parametrize(
    ("dates", "exit_code", "said"),
    [
        (["--from", "2026-13-01", "--to", "2026-04-30"], 2, "argument --from: '2026-13-01' is not a date"),
        (
            ["--from", "2026-05-01", "--to", "2026-04-30"],
            1,
            "The last day 2026-04-30 is before the first day 2026-05-01",
        ),
    ],
)
def test_case6_report_acceptance_bad_dates_print_one_line_and_fail(presented, capsys, dates, exit_code, said) -> None:
    """The CLI's error pattern: one line on stderr; exit 2 for a date that is none, 1 for a refused period."""
    assert main(["report", "acceptance", *dates, "--url", presented, "--user", "front"]) == exit_code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dentaldesk: ") and said in err[0]


def test_case6_report_acceptance_refuses_a_wrong_password(presented, capsys, monkeypatch) -> None:
    """SEC-3: the command logs in; a wrong password is refused on one line."""
    monkeypatch.setenv("DENTALDESK_PASSWORD", "wrong-password-1")
    assert (
        main(
            [
                "report",
                "acceptance",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--url",
                presented,
                "--user",
                "front",
            ]
        )
        == 1
    )
    assert capsys.readouterr().err.startswith("dentaldesk: ")
