"""Pure rules of case presentation: follow-up contacts and order (CASE-3), acceptance counts
(CASE-6), the mail server's settings and the message (CASE-4). Examples, then properties."""

from __future__ import annotations

import datetime as dt
import email
from decimal import Decimal
from email.policy import default

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dentaldesk.domain.acceptance import (
    NO_PROVIDER,
    PresentedPlan,
    acceptance,
    acceptance_table,
    by_month,
    plan_provider,
)
from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.followup import ContactKind, Waiting, check_contact, days_waiting, follow_up_order, keep
from dentaldesk.domain.mail import Attachment, MailServer, SmtpSecurity, build_message, check_mail_server

TODAY = dt.date(2026, 5, 12)


# --- CASE-3 -------------------------------------------------------------------------------------


def test_case3_a_decline_needs_its_reason_and_a_call_back_its_day() -> None:
    """CASE-3: declined without a reason, call back without a day or in the past: refused at the field."""
    assert check_contact("declined", "  Cost,  next   year ", None, TODAY).note == "Cost, next year"
    with pytest.raises(ValidationError) as no_reason:
        check_contact(ContactKind.DECLINED, "", None, TODAY)
    assert no_reason.value.field == "note"
    with pytest.raises(ValidationError) as no_day:
        check_contact(ContactKind.WILL_CALL_BACK, "", None, TODAY)
    assert no_day.value.field == "call_back_on"
    with pytest.raises(ValidationError) as past:
        check_contact(ContactKind.WILL_CALL_BACK, "", TODAY - dt.timedelta(days=1), TODAY)
    assert "in the past" in past.value.message
    with pytest.raises(ValidationError):
        check_contact(ContactKind.WILL_CALL_BACK, "", TODAY + dt.timedelta(days=400), TODAY)
    # a day given with another outcome is not kept
    assert check_contact(ContactKind.CALLED, "", TODAY, TODAY).call_back_on is None
    assert check_contact(ContactKind.WILL_CALL_BACK, "", TODAY, TODAY).call_back_on == TODAY


def test_case3_days_waiting_never_go_below_zero() -> None:
    """CASE-3: a date after today (a clock set back) waits 0 days, not -3."""
    assert days_waiting(TODAY - dt.timedelta(days=40), TODAY) == 40
    assert days_waiting(TODAY + dt.timedelta(days=3), TODAY) == 0


waitings = st.lists(
    st.builds(
        Waiting,
        plan_id=st.integers(1, 10_000),
        since=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
        open_fee=st.decimals(0, 5000, places=2),
        provider_ids=st.frozensets(st.integers(1, 4), max_size=3),
    ),
    max_size=30,
    unique_by=lambda w: w.plan_id,
)


@given(waitings, st.one_of(st.none(), st.integers(1, 4)), st.one_of(st.none(), st.decimals(0, 5000, places=2)))
def test_case3_the_list_is_oldest_first_and_the_filters_only_remove(rows, provider, amount) -> None:
    """CASE-3 property: oldest first; a filter keeps exactly the rows that match it, in the same order."""
    ordered = follow_up_order(rows)
    assert sorted(ordered, key=lambda w: (w.since, w.plan_id)) == ordered and len(ordered) == len(rows)
    kept = [w for w in ordered if keep(w, provider, amount)]
    for w in kept:
        assert provider is None or provider in w.provider_ids
        assert amount is None or w.open_fee >= amount
    assert [w for w in ordered if w in kept] == kept


# --- CASE-6 -------------------------------------------------------------------------------------


def test_case6_a_plan_counts_under_its_largest_provider_and_in_its_first_month() -> None:
    """CASE-6: the provider with the most fees (ties by name); counted in the month presented."""
    assert plan_provider({"Dr. B": Decimal("500"), "Dr. A": Decimal("500"), "Hyg": Decimal("95")}) == "Dr. A"
    assert plan_provider({"": Decimal("80")}) == NO_PROVIDER
    plans = [
        PresentedPlan(1, "Dr. A", dt.date(2026, 3, 31), Decimal("1200.00"), dt.date(2026, 4, 2), Decimal("1200.00")),
        PresentedPlan(2, "Dr. A", dt.date(2026, 3, 2), Decimal("800.00")),
        PresentedPlan(3, "Hyg", dt.date(2026, 4, 1), Decimal("95.00"), dt.date(2026, 4, 1), Decimal("95.00")),
        PresentedPlan(4, "Hyg", dt.date(2026, 5, 1), Decimal("95.00")),  # after the period
    ]
    report = acceptance(plans, dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    assert [(r.month, r.provider, r.presented, r.accepted, r.rate) for r in report.rows] == [
        ("2026-03", "Dr. A", 2, 1, Decimal("50.0")),
        ("2026-04", "Hyg", 1, 1, Decimal("100.0")),
    ]
    assert report.total.presented_amount == Decimal("2095.00") and report.total.accepted_amount == Decimal("1295.00")
    assert acceptance_table(report)[-1] == ["Total", "All providers", "3", "2095.00", "2", "1295.00", "66.7", "61.8"]
    with pytest.raises(ValidationError):
        acceptance(plans, dt.date(2026, 4, 30), dt.date(2026, 3, 1))


presented_plans = st.lists(
    st.builds(
        lambda plan_id, provider, day, amount, accepted_after, share: PresentedPlan(
            plan_id,
            provider,
            day,
            amount,
            None if accepted_after is None else day + dt.timedelta(days=accepted_after),
            Decimal(0) if accepted_after is None else (amount * share).quantize(Decimal("0.01")),
        ),
        st.integers(1, 10**6),
        st.sampled_from(["Dr. A", "Dr. B", "Hyg", NO_PROVIDER]),
        st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
        st.decimals(0, 20_000, places=2),
        st.one_of(st.none(), st.integers(0, 60)),
        st.sampled_from([Decimal("1"), Decimal("0.5"), Decimal("0.9")]),
    ),
    max_size=40,
    unique_by=lambda p: p.plan_id,
)


@given(presented_plans, st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)), st.integers(0, 400))
def test_case6_the_rows_add_up_to_the_total_and_count_each_plan_once(plans, start, span) -> None:
    """CASE-6 property: the rows add up to the total, the total is the plans in the period, accepted <= presented,
    and the chart's months add up to the same figures."""
    end = start + dt.timedelta(days=span)
    report = acceptance(plans, start, end)
    inside = [p for p in plans if start <= p.presented_on <= end]
    assert report.total.presented == len(inside) == sum(r.presented for r in report.rows)
    assert report.total.accepted == sum(r.accepted for r in report.rows) == sum(p.accepted for p in inside)
    assert report.total.presented_amount == sum((r.presented_amount for r in report.rows), Decimal("0"))
    assert report.total.accepted_amount == sum((r.accepted_amount for r in report.rows), Decimal("0"))
    assert all(r.accepted <= r.presented and Decimal(0) <= r.rate <= Decimal(100) for r in report.rows)
    months = by_month(report)
    assert sum(m.presented for m in months) == report.total.presented
    assert sum((m.accepted_amount for m in months), Decimal("0")) == report.total.accepted_amount
    assert [r.month for r in report.rows] == sorted(r.month for r in report.rows)


# --- CASE-4 -------------------------------------------------------------------------------------


def test_case4_mail_settings_take_the_usual_port_and_need_a_from_address() -> None:
    """CASE-4: a blank port is the security's usual one; a server needs a From address; blank host = none."""
    assert check_mail_server("smtp.example.com", "", "ssl", "", "desk@example.com").port == 465
    assert check_mail_server("smtp.example.com", " 2525 ", "starttls", "u", "desk@example.com").port == 2525
    assert not check_mail_server("", "", "starttls", "", "").configured
    with pytest.raises(ValidationError) as no_from:
        check_mail_server("smtp.example.com", "587", "starttls", "", "")
    assert no_from.value.field == "smtp_from"
    with pytest.raises(ValidationError) as bad_port:
        check_mail_server("smtp.example.com", "0", "starttls", "", "desk@example.com")
    assert bad_port.value.field == "smtp_port"
    with pytest.raises(ValidationError) as security:
        check_mail_server("smtp.example.com", "587", "tls-maybe", "", "desk@example.com")
    assert security.value.field == "smtp_security"


@given(st.binary(min_size=1, max_size=4000), st.text(min_size=1, max_size=200).filter(lambda t: t.strip()))
def test_case4_the_attachment_and_the_message_come_back_as_they_were_built(content, body) -> None:
    """CASE-4 property: whatever the PDF bytes and the message, the parsed message gives them back."""
    server = MailServer("smtp.example.com", 587, SmtpSecurity.STARTTLS, "", "desk@example.com")
    message = build_message(
        server, "Maple Street Dental", "pat@example.com", "Your plan", body, (Attachment("plan 7.pdf", content),)
    )
    parsed = email.message_from_bytes(message.as_bytes(), policy=default)
    [part] = list(parsed.iter_attachments())  # type: ignore[attr-defined]
    assert part.get_filename() == "plan 7.pdf" and part.get_content() == content
    text = parsed.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert " ".join(text.split()) == " ".join(body.split())
    assert parsed["To"] == "pat@example.com" and "Maple Street Dental" in parsed["From"]


def test_case4_a_message_needs_an_address_a_subject_and_a_text() -> None:
    """CASE-4 bad input: each refusal names its field."""
    server = MailServer("smtp.example.com", 587, SmtpSecurity.STARTTLS, "", "desk@example.com")
    for to, subject, body, field in (
        ("", "s", "b", "to"),
        ("x@", "s", "b", "to"),
        ("a@b.example", " ", "b", "subject"),
        ("a@b.example", "s", "  ", "body"),
    ):
        with pytest.raises(ValidationError) as refused:
            build_message(server, "", to, subject, body)
        assert refused.value.field == field
