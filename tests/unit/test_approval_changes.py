"""TP-15: what changed since the patient's last approval, line by line."""

from __future__ import annotations

from decimal import Decimal

from dentaldesk.domain.approval import ApprovedLine, changes_since_approval, describe_change


def line(code: str, tooth: str, fee: str, insurance: str = "0", **kw) -> ApprovedLine:
    return ApprovedLine(
        code, tooth, kw.get("surfaces", ""), "Dr A", Decimal(fee), kw.get("visit", 1), insurance=Decimal(insurance)
    )


def test_tp15_added_removed_and_changed_lines_are_each_named() -> None:
    """TP-15: an added item, a removed one, a fee and tooth change, each on its own line."""
    approved = [
        (1, line("D2740", "14", "1350.00", "675.00")),
        (2, line("D0120", "", "65.00")),
        (3, line("D2391", "3", "195.00")),
    ]
    now = [
        (1, line("D2740", "15", "1200.00", "600.00")),
        (3, line("D2391", "3", "195.00")),
        (4, line("D2950", "15", "285.00")),
    ]
    texts = [describe_change(c, str) for c in changes_since_approval(approved, now)]
    assert texts == [
        "D2740 #14: tooth #14 → #15; fee 1,350.00 → 1,200.00; insurance 675.00 → 600.00",
        "Removed D0120, 65.00",
        "Added D2950 #15, 285.00",
    ]


def test_tp15_an_older_approval_matches_lines_by_code_and_compares_what_it_covered() -> None:
    """An approval of hash version 1 kept no item ids and no estimate: lines match by code, and
    a changed estimate alone is no change to it."""
    approved = [(None, line("D2740", "14", "1350.00"))]
    now = [(7, line("D2740", "14", "1350.00", "675.00"))]
    assert changes_since_approval(approved, now, version=1) == []
    assert [c.parts for c in changes_since_approval(approved, now, version=2)] == [("insurance",)]
