"""The tooth chart and the patient chart panel, driven as a person would (TX-CHART-1/2, ID-1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from acting import staff
from chart_builders import ChartedPractice
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialogButtonBox

from dentaldesk.domain.terms import Category, GraphicStatus, ToothNumbering
from dentaldesk.printing.palette import STATUS_STYLES
from dentaldesk.services.chart.marks import ChartMark, chart_marks
from dentaldesk.services.ledger.queries import account_ledger
from dentaldesk.ui.chart.layout import Dentition, default_dentition
from dentaldesk.ui.chart.panel import ROLE_NOTE, PatientChartPanel
from dentaldesk.ui.chart.tooth_chart import ToothChart

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def mark(
    mark_id: int,
    tooth: str,
    code: str,
    category: Category,
    status: GraphicStatus,
    surfaces: str = "",
    removed: bool = False,
) -> ChartMark:
    return ChartMark(
        id=mark_id,
        patient_id=1,
        tooth=tooth,
        surfaces=surfaces,
        procedure_code_id=1,
        code=code,
        code_name={"D2740": "Crown, all porcelain"}.get(code, "Filling"),
        category=category,
        status=status,
        created_at=NOW,
        created_by="Dana Dent",
        removed_at=NOW if removed else None,
        removed_by="Dana Dent" if removed else "",
        removal_reason="Wrong tooth" if removed else "",
        transaction_id=None,
        plan_item_id=None,
    )


SAMPLE = [
    mark(1, "3", "D2391", Category.RESTORATIVE, GraphicStatus.COMPLETED, "MO"),
    mark(2, "30", "D2391", Category.RESTORATIVE, GraphicStatus.EXISTING, "B"),
    mark(3, "14", "D2740", Category.PROSTHODONTICS_FIXED, GraphicStatus.PLANNED),
    mark(4, "20", "D2391", Category.RESTORATIVE, GraphicStatus.COMPLETED, "O", removed=True),
]


def make_chart(qtbot, marks=SAMPLE, numbering=ToothNumbering.UNIVERSAL) -> ToothChart:  # type: ignore[no-untyped-def]
    chart = ToothChart()
    qtbot.addWidget(chart)
    chart.resize(640, 260)
    chart.set_numbering(numbering)
    chart.set_marks(marks)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def pixel(chart: ToothChart, point: QPointF) -> QColor:
    return chart.grab().toImage().pixelColor(point.toPoint())


def make_panel(qtbot, make_ctx, c: ChartedPractice, actor=None) -> PatientChartPanel:  # type: ignore[no-untyped-def]
    panel = PatientChartPanel(make_ctx(c.engine, actor or c.dentist))
    qtbot.addWidget(panel)
    panel.resize(900, 620)
    panel.show()
    qtbot.waitExposed(panel)
    panel.ctx.changes.patient_selected.emit(c.patient_id)
    return panel


def click_row(qtbot, panel: PatientChartPanel, mark_id: int) -> None:  # type: ignore[no-untyped-def]
    row = next(i for i, m in enumerate(panel.model.rows) if m.id == mark_id)
    rect = panel.table.visualRect(panel.model.index(row, 2))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# -- the chart on its own ------------------------------------------------------------------------


def test_clicking_a_tooth_chooses_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Clicking a tooth selects it and emits its Universal number, for a new plan item."""
    chart = make_chart(qtbot)
    with qtbot.waitSignal(chart.tooth_chosen) as chosen:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.tooth_centre("19").toPoint())
    assert chosen.args == ["19"]
    assert chart.selected_tooth == "19"


def test_id_1_fdi_office_labels_teeth_in_fdi_and_emits_universal(qtbot) -> None:  # type: ignore[no-untyped-def]
    """ID-1: under FDI the chart labels Universal 14 as 26 and 30 as 46; a click still gives the stored tooth."""
    chart = make_chart(qtbot, numbering=ToothNumbering.FDI)
    assert [chart.tooth_label(t) for t in ("1", "8", "9", "14", "17", "30", "32")] == [
        "18",
        "11",
        "21",
        "26",
        "38",
        "46",
        "48",
    ]
    assert chart.tooth_text("14") == "Tooth 26, planned: D2740 Crown, all porcelain"
    with qtbot.waitSignal(chart.tooth_chosen) as chosen:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.tooth_centre("14").toPoint())
    assert chosen.args == ["14"]


def test_marks_are_drawn_in_their_status_colour_and_removed_marks_are_not(qtbot) -> None:  # type: ignore[no-untyped-def]
    """TX-CHART-1: completed blue, existing green, planned hatched vermillion; a removed mark leaves no colour."""
    chart = make_chart(qtbot)
    image = chart.grab().toImage()

    def at(tooth: str, surface: str) -> str:
        return image.pixelColor(chart.region_centre(tooth, surface).toPoint()).name()

    assert at("3", "M") == at("3", "O") == STATUS_STYLES[GraphicStatus.COMPLETED].fill
    assert at("3", "D") == "#ffffff"
    assert at("30", "B") == STATUS_STYLES[GraphicStatus.EXISTING].fill
    planned = STATUS_STYLES[GraphicStatus.PLANNED]
    assert {at("14", s) for s in "MODBL"} <= {planned.fill, planned.stroke}
    assert at("20", "O") == "#ffffff" and chart.surface_status("20", "O") is None
    assert chart.surface_status("3", "M") is GraphicStatus.COMPLETED
    assert chart.surface_status("14", "L") is GraphicStatus.PLANNED


def test_surfaces_face_the_right_way(qtbot) -> None:  # type: ignore[no-untyped-def]
    """ID-2: mesial faces the midline, buccal faces out of the arch: tooth 3's M is on its right, 30's B below."""
    chart = make_chart(qtbot)
    assert chart.region_centre("3", "M").x() > chart.region_centre("3", "D").x()
    assert chart.region_centre("14", "M").x() < chart.region_centre("14", "D").x()
    assert chart.region_centre("3", "B").y() < chart.region_centre("3", "L").y()
    assert chart.region_centre("30", "B").y() > chart.region_centre("30", "L").y()


def test_arrow_keys_move_and_space_chooses(qtbot) -> None:  # type: ignore[no-untyped-def]
    """By keyboard alone: arrows move between teeth, Space or Enter chooses."""
    chart = make_chart(qtbot)
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current_tooth == "3"
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    assert chart.current_tooth == "30"
    with qtbot.waitSignal(chart.tooth_chosen) as chosen:
        qtbot.keyClick(chart, Qt.Key.Key_Space)
    assert chosen.args == ["30"] and chart.selected_tooth == "30"
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.current_tooth == "17"
    qtbot.keyClick(chart, Qt.Key.Key_Up)
    assert chart.current_tooth == "16"
    qtbot.keyClick(chart, Qt.Key.Key_Up)
    assert chart.current_tooth == "16"
    with qtbot.waitSignal(chart.tooth_chosen) as chosen:
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert chosen.args == ["16"]


def test_accessible_name_follows_the_focused_tooth(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The focused tooth is named with its marks; the chart describes every mark and the keys."""
    chart = make_chart(qtbot)
    chart.setFocus()
    for _ in range(13):
        qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.accessibleName() == "Tooth chart, Tooth 14, planned: D2740 Crown, all porcelain"
    description = chart.accessibleDescription()
    assert "Permanent teeth, Universal numbering. 3 marks" in description
    assert "Tooth 3, completed: D2391 MO Filling" in description and "Arrow keys" in description
    assert "Tooth 20" not in description


def test_dentition_modes_show_the_right_teeth(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Permanent shows 1-32, primary A-T, mixed both; a mark on a hidden tooth is announced."""
    chart = make_chart(qtbot, marks=[mark(9, "K", "D1351", Category.PREVENTIVE, GraphicStatus.EXISTING)])
    assert len(chart.visible_teeth()) == 32 and len(chart.hidden_marks()) == 1
    assert "1 mark on primary teeth not shown" in chart.accessibleDescription()
    chart.set_dentition(Dentition.PRIMARY)
    assert sorted(chart.visible_teeth()) == list("ABCDEFGHIJKLMNOPQRST") and not chart.hidden_marks()
    assert chart.surface_status("K", "O") is GraphicStatus.EXISTING
    chart.set_dentition(Dentition.MIXED)
    assert len(chart.visible_teeth()) == 52
    assert chart.region_centre("A", "O").y() > chart.region_centre("4", "O").y()


def test_default_dentition_follows_age_and_marks() -> None:
    """A 4-year-old sees primary teeth, a 9-year-old mixed, an adult permanent unless marks need mixed."""
    today = dt.date(2025, 6, 1)
    assert default_dentition(dt.date(2021, 1, 1), [], today) is Dentition.PRIMARY
    assert default_dentition(dt.date(2016, 1, 1), [], today) is Dentition.MIXED
    assert default_dentition(dt.date(1980, 1, 1), ["14"], today) is Dentition.PERMANENT
    assert default_dentition(dt.date(1980, 1, 1), ["14", "K"], today) is Dentition.MIXED


def test_chart_scales_with_the_widget(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Sized for beside the plan editor (about 520 x 220) and growing with its space."""
    chart = make_chart(qtbot)
    assert (chart.sizeHint().width(), chart.sizeHint().height()) == (520, 220)
    chart.resize(chart.sizeHint())
    small = chart.tooth_centre("16").x() - chart.tooth_centre("1").x()
    chart.resize(1100, 440)
    assert chart.tooth_centre("16").x() - chart.tooth_centre("1").x() > 1.8 * small


def test_tooltip_names_the_tooth_under_the_pointer(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Hovering a tooth shows what is charted on it."""
    from PySide6.QtWidgets import QToolTip

    chart = make_chart(qtbot)
    pos = chart.tooth_centre("3").toPoint()
    qtbot.mouseMove(chart, pos)
    from PySide6.QtGui import QHelpEvent

    event = QHelpEvent(QHelpEvent.Type.ToolTip, pos, chart.mapToGlobal(pos))
    chart.event(event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == "Tooth 3, completed: D2391 MO Filling"


# -- the patient chart panel ---------------------------------------------------------------------


def test_tx_chart_1_remove_graphic_through_the_panel(qtbot, make_ctx, charted: ChartedPractice) -> None:  # type: ignore[no-untyped-def]
    """TX-CHART-1: click the mark, Remove chart graphic, type a reason, OK: the mark leaves the chart, money stays."""
    panel = make_panel(qtbot, make_ctx, charted)
    balance = account_ledger(charted.uow, staff(charted.uow), charted.account_id)[-1].balance
    assert [m.code for m in panel.chart.marks_on("14")] == ["D2740"]
    assert not panel.remove_button.isEnabled()
    click_row(qtbot, panel, charted.crown_mark.id)
    assert panel.chart.selected_tooth == "14" and panel.remove_button.isEnabled()
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    assert "D2740 Crown, all porcelain</b> on tooth <b>14" in dialog.intro.text()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.reason, "Charted on the wrong tooth")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert panel.chart.marks_on("14") == []
    assert pixel(panel.chart, panel.chart.region_centre("14", "O")).name() == "#ffffff"
    row = next(i for i, m in enumerate(panel.model.rows) if m.id == charted.crown_mark.id)
    removed_text = panel.model.data(panel.model.index(row, 6))
    assert "by Dana Dent: Charted on the wrong tooth" in removed_text
    assert account_ledger(charted.uow, staff(charted.uow), charted.account_id)[-1].balance == balance


def test_tx_chart_2_chart_again_through_the_panel(qtbot, make_ctx, charted: ChartedPractice) -> None:  # type: ignore[no-untyped-def]
    """TX-CHART-2: a removed mark charted again on tooth 15 (picked on the dialog's chart); the list keeps both."""
    panel = make_panel(qtbot, make_ctx, charted)
    click_row(qtbot, panel, charted.crown_mark.id)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.dialog.reason, "Wrong tooth")
    qtbot.keyClick(panel.dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not panel.dialog.isVisible())
    click_row(qtbot, panel, charted.crown_mark.id)
    assert panel.rechart_button.isEnabled() and not panel.remove_button.isEnabled()
    qtbot.mouseClick(panel.rechart_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.picker, Qt.MouseButton.LeftButton, pos=dialog.picker.tooth_centre("15").toPoint())
    assert dialog.tooth.text() == "15"
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert [m.code for m in panel.chart.marks_on("15")] == ["D2740"] and panel.chart.marks_on("14") == []
    assert panel.selected_mark().tooth == "15" and panel.chart.selected_tooth == "15"
    assert [(m.tooth, m.removed) for m in panel.model.rows if m.code == "D2740"] == [("14", True), ("15", False)]
    click_row(qtbot, panel, charted.crown_mark.id)
    assert not panel.rechart_button.isEnabled()
    assert "already charted again, on tooth 15" in panel.rechart_button.toolTip()


def test_tx_val_1_bad_tooth_is_refused_at_the_field(qtbot, make_ctx, charted: ChartedPractice) -> None:  # type: ignore[no-untyped-def]
    """TX-VAL-1 / ID-1: tooth 33 is refused next to the Tooth field, the dialog stays open, nothing is saved."""
    panel = make_panel(qtbot, make_ctx, charted)
    click_row(qtbot, panel, charted.filling_mark.id)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.dialog.reason, "Wrong surfaces")
    qtbot.mouseClick(panel.dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.dialog.isVisible())
    click_row(qtbot, panel, charted.filling_mark.id)
    qtbot.mouseClick(panel.rechart_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog.surfaces.text() == "MO" and dialog.surfaces.isEnabled()
    qtbot.keyClicks(dialog.tooth, "33")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.tooth_error.isVisible()
    assert "Tooth '33' does not exist" in dialog.tooth_error.text()
    dialog.tooth.clear()
    qtbot.keyClicks(dialog.tooth, "3")
    dialog.surfaces.clear()
    qtbot.keyClicks(dialog.surfaces, "MX")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.surfaces_error.isVisible() and "not a surface" in dialog.surfaces_error.text()
    assert len(chart_marks(charted.uow, staff(charted.uow), charted.patient_id)) == 2


def test_chart_role_front_desk_sees_the_chart_but_cannot_change_it(qtbot, make_ctx, charted: ChartedPractice) -> None:  # type: ignore[no-untyped-def]
    """CHART-ROLE: front desk sees marks; Remove and Chart again stay disabled and say why."""
    panel = make_panel(qtbot, make_ctx, charted, actor=charted.front_desk)
    click_row(qtbot, panel, charted.crown_mark.id)
    assert panel.chart.marks_on("14") and not panel.remove_button.isEnabled()
    assert panel.remove_button.toolTip() == ROLE_NOTE


def test_panel_follows_the_chosen_patient_and_changes(qtbot, make_ctx, charted: ChartedPractice) -> None:  # type: ignore[no-untyped-def]
    """The chart shows the chosen patient and redraws when another view announces a chart change."""
    panel = make_panel(qtbot, make_ctx, charted)
    assert "Anna Smith" in panel.title.text() and panel.model.rowCount() == 2
    panel.ctx.changes.patient_selected.emit(charted.patient_ids[1])
    assert "John Smith" in panel.title.text() and panel.model.rowCount() == 0
    from dentaldesk.services.chart.marks import chart_procedure

    chart_procedure(
        charted.uow, charted.dentist, charted.patient_ids[1], charted.code_ids["D7140"], "1", "", GraphicStatus.PLANNED
    )
    panel.ctx.changes.changed.emit("plans")
    assert [m.code for m in panel.chart.marks_on("1")] == ["D7140"]


def test_chart_screenshots(qtbot, make_ctx, charted: ChartedPractice, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """Pictures of the chart panel and the chart alone in each dentition, for a person to look at."""
    panel = make_panel(qtbot, make_ctx, charted)
    assert panel.grab().save(str(shots / "chart_panel.png"))
    chart = make_chart(qtbot, numbering=ToothNumbering.FDI)
    for dentition in Dentition:
        chart.set_dentition(dentition)
        path = shots / f"chart_{dentition.value}_fdi.png"
        assert chart.grab().save(str(path)) and path.stat().st_size > 0


def test_repainting_does_not_drain_references_to_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Stability: repainting the chart leaves None's reference count as it was (see test_qt_binding)."""
    import sys

    chart = make_chart(qtbot)
    chart.grab()
    before = sys.getrefcount(None)
    for _ in range(20):
        chart.grab()
    assert abs(sys.getrefcount(None) - before) <= 50
