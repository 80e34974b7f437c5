"""The case acceptance report window (CASE-6): table, bar chart, CSV export, a bad period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog

from dentaldesk.ui.plans.acceptance_window import AcceptanceWindow


def plans(case_desk) -> None:
    d = case_desk
    d.plan(0, "Crowns", [("D2740", "14", "1200.00")], presented=dt.date(2026, 3, 3), approved=dt.date(2026, 3, 10))
    d.plan(1, "Implant", [("D6010", "19", "2400.00")], presented=dt.date(2026, 3, 20))
    d.plan(
        2,
        "Cleaning",
        [("D1110", "", "95.00")],
        provider=d.hygienist,
        presented=dt.date(2026, 4, 2),
        approved=dt.date(2026, 4, 2),
    )
    d.plan(
        3,
        "Buildups",
        [("D2950", "30", "180.00"), ("D2950", "31", "180.00")],
        presented=dt.date(2026, 4, 20),
        approved=dt.date(2026, 5, 2),
    )
    d.plan(4, "Bridge", [("D2740", "3", "1100.00")], presented=dt.date(2026, 5, 5))


def open_window(qtbot, case_desk, make_ctx) -> AcceptanceWindow:
    window = AcceptanceWindow(make_ctx(case_desk.p.engine, case_desk.front))
    qtbot.addWidget(window)
    window.show()
    window.start.setDate(QDate(2026, 3, 1))
    window.end.setDate(QDate(2026, 5, 31))
    qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    return window


def test_case6_the_report_shows_months_and_providers_and_the_chart_follows(
    qtbot, case_desk, make_ctx, shots: Path, tmp_path: Path, monkeypatch
) -> None:
    """CASE-6: per month and provider, counts and amounts; the chart's bars are the same figures; CSV export."""
    plans(case_desk)
    window = open_window(qtbot, case_desk, make_ctx)
    shown = [
        [window.model.index(r, c).data() for c in range(window.model.columnCount())]
        for r in range(window.model.rowCount())
    ]
    assert shown == [
        ["2026-03", "Dr. Dana Dent", "2", "3,600.00", "1", "1,200.00", "50.0 %", "33.3 %"],
        ["2026-04", "Dr. Dana Dent", "1", "360.00", "1", "360.00", "100.0 %", "100.0 %"],
        ["2026-04", "Dr. Hana Hygiene", "1", "95.00", "1", "95.00", "100.0 %", "100.0 %"],
        ["2026-05", "Dr. Dana Dent", "1", "1,100.00", "0", "0.00", "0.0 %", "0.0 %"],
        ["Total", "All providers", "5", "5,155.00", "3", "1,655.00", "60.0 %", "32.1 %"],
    ]
    assert window.message.text().startswith("5 plans presented (5,155.00), 3 accepted (1,655.00)")
    assert window.chart_values == [
        ("2026-03", 2, 1, Decimal("3600.00"), Decimal("1200.00")),
        ("2026-04", 2, 2, Decimal("455.00"), Decimal("455.00")),
        ("2026-05", 1, 0, Decimal("1100.00"), Decimal("0.00")),
    ]
    [series] = window.chart.series()
    presented, accepted = series.barSets()
    assert [presented.at(i) for i in range(3)] == [2, 2, 1] and [accepted.at(i) for i in range(3)] == [1, 2, 0]
    window.chart_provider.setCurrentIndex(window.chart_provider.findText("Dr. Hana Hygiene"))
    [series] = window.chart.series()
    assert [series.barSets()[0].at(i) for i in range(series.barSets()[0].count())] == [1]
    window.chart_provider.setCurrentIndex(0)
    window.chart_measure.setCurrentIndex(window.chart_measure.findData("amount"))
    [series] = window.chart.series()
    assert [series.barSets()[1].at(i) for i in range(3)] == [1200, 455, 0]
    window.chart_measure.setCurrentIndex(0)
    qtbot.wait(50)
    window.grab().save(str(shots / "acceptance.png"))
    target = tmp_path / "acceptance.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    lines = target.read_text().splitlines()
    assert lines[0] == "Month,Provider,Presented,Presented amount,Accepted,Accepted amount,Accepted %,Amount accepted %"
    assert lines[1] == "2026-03,Dr. Dana Dent,2,3600.00,1,1200.00,50.0,33.3"
    assert lines[-1] == "Total,All providers,5,5155.00,3,1655.00,60.0,32.1"


def test_case6_a_last_day_before_the_first_is_refused_at_the_field(qtbot, case_desk, make_ctx) -> None:
    """CASE-6 bad input: the period's end before its start: the message under the dates, nothing shown."""
    window = open_window(qtbot, case_desk, make_ctx)
    window.end.setDate(QDate(2026, 2, 1))
    qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    assert window.errors["end"].isVisible()
    assert "before the first day 2026-03-01" in window.errors["end"].text()
