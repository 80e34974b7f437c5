"""What a charge will be before it is posted: its tax, whether it is insurable, the one estimate of
its write-off, deductible and insurance, and how its parts age (TX-TAX-1/2, TX-INS-1, TX-INS-3..5,
TX-AGE-2..4, INS-8, INS-9).

:func:`charge_terms` reads once what pricing a patient's charge needs (the office's tax method and
rate, the account's ICM, the patient's coverage with benefits paid and pending, INS-3);
:func:`facts_for_charge` applies the rules to one charge from those terms without touching the
database, so the Patient Transactions dialog can recompute on every keystroke; :func:`charge_facts`
does both for one charge. Posting (:func:`dentaldesk.services.ledger.posting.post_charge_in`) uses
the same, so the figure shown before OK is the figure posted. A plan item is estimated among its
plan's planned items in plan order (``plan_lines``, through ``domain.estimates.estimate_plan``),
as the plan editor, the handout and completing the item estimate it. Everything here reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import Account, Office, Patient, ProcedureCode
from dentaldesk.domain.aging import charge_aging_parts, default_aged_date
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.estimates import ItemEstimate, PlanCoverage, PlanLine, estimate_plan
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.tax import tax_amount, taxable_state
from dentaldesk.domain.terms import Category, Icm, TaxMethod
from dentaldesk.services.practice.pricing import load_coverages

THIS_CHARGE = -1  # the key of the charge being priced among its plan's lines
LAST = (1 << 30, 1 << 30, 1 << 30)  # plan order of a charge after every plan item


@dataclass(frozen=True)
class ChargeFacts:
    """What the Charges/Aging and Insurance sections show for a charge before it is posted.

    ``aged_date``, ``held_amount`` and ``write_off`` are what posting records (TX-AGE-2..4,
    INS-8); ``aged_field`` is what the dialog's Aged field shows by default: blank on an
    insurable ICM 1 or ICM 2 charge, where ICM 2 still ages the patient's portion from DOS.
    ``estimate`` is the one estimate's split (TX-INS-3..5, INS-9), None when not insurable.
    """

    taxable_enabled: bool
    taxable: bool
    taxable_reason: str
    tax: Decimal
    insurable: bool
    estimated_insurance: Decimal
    aged_date: dt.date | None
    held_amount: Decimal
    aged_field: dt.date | None = None
    estimate: ItemEstimate | None = None
    write_off: Decimal = ZERO
    uninsured_reason: str = ""  # why a code that is insurable goes on no claim (TX-INS-1)


@dataclass(frozen=True)
class ChargeTerms:
    """What pricing a patient's charge needs, read once: the office's tax method and rate, the
    account's ICM and the patient's coverage (TX-TAX-1, TX-INS-1, TX-AGE-2..4, INS-*)."""

    tax_method: TaxMethod
    tax_rate: Decimal | None
    icm: Icm
    primary: PlanCoverage | None
    secondary: PlanCoverage | None
    year: int | None = None  # the benefit year the coverage is in (CASE-2, CASE-5): today's


def charge_terms(session: Session, patient_id: int, codes: Collection[str] | None = None) -> ChargeTerms:
    """Read :class:`ChargeTerms` for one patient (the coverage through the one loader); ``codes``
    limits the bluebooks read to the codes that will be priced (all when left out)."""
    found = session.execute(
        select(Office.tax_method, Office.tax_rate, Account.icm)
        .join(Patient, Patient.office_id == Office.id)
        .join(Account, Account.id == Patient.account_id)
        .where(Patient.id == patient_id)
    ).first()
    if found is None:
        raise NotFound("This patient no longer exists.")
    tax_method, tax_rate, icm = found
    primary, secondary = load_coverages(session, patient_id, codes)
    return ChargeTerms(TaxMethod(tax_method), tax_rate, Icm(icm), primary, secondary, clock.today().year)


def facts_for_charge(
    terms: ChargeTerms,
    *,
    code: str,
    category: Category,
    code_insurable: bool,
    code_taxable: bool,
    fee: Decimal,
    dos: dt.date,
    taxable: bool | None = None,
    insurable: bool | None = None,
    plan_lines: Sequence[PlanLine] = (),
    order: tuple[int, int, int] = LAST,
    key: int = THIS_CHARGE,
) -> ChargeFacts:
    """TX-TAX-1/2, TX-INS-1, TX-INS-3..5, TX-AGE-2..4, INS-8 of one charge from terms read once.

    ``plan_lines`` are the other items of the charge's plan (a plan item's charge is estimated
    among its plan's planned items in plan order, INS-2/INS-3/INS-9) and ``order`` its own place
    among them; ``key`` is its own line's key when ``plan_lines`` hold it (it is then replaced by
    what is typed now, keeping its tooth, benefit year and preauthorization answer: the answer
    holds while the fee typed is the fee sent, CASE-2). No database: a dialog recomputes this on
    every keystroke.
    """
    state = taxable_state(terms.tax_method, terms.tax_rate, code_taxable)
    is_taxable = state.checked if (taxable is None or not state.enabled) else taxable
    tax = tax_amount(fee, terms.tax_rate, is_taxable)
    own = next((line for line in plan_lines if line.key == key), None)
    mine = PlanLine(key, code, category, fee, code_insurable, insurable, False, order)
    if own is not None:
        mine = replace(mine, tooth=own.tooth, benefit_year=own.benefit_year, preauth=own.preauth, visit=own.visit)
    lines = [line for line in plan_lines if line.key != key] + [mine]
    estimate = estimate_plan(lines, terms.primary, terms.secondary, year=terms.year)[key]
    is_insurable = estimate.insurable
    reason = "" if is_insurable or not code_insurable or insurable is False else estimate.coverage_type
    if terms.primary is None:
        reason = ""
    write_off = estimate.write_off if is_insurable else ZERO
    insurance = estimate.insurance if is_insurable else ZERO
    parts = charge_aging_parts(
        fee_total=fee + tax,
        insurable=is_insurable,
        icm=terms.icm,
        dos=dos,
        estimated_insurance=insurance,
        write_off=write_off,
    )
    return ChargeFacts(
        taxable_enabled=state.enabled,
        taxable=is_taxable,
        taxable_reason=state.reason,
        tax=tax,
        insurable=is_insurable,
        estimated_insurance=insurance,
        aged_date=parts.aged_date,
        held_amount=parts.held_amount,
        aged_field=default_aged_date(insurable=is_insurable, icm=terms.icm, dos=dos),
        estimate=replace(estimate, key=key) if is_insurable else None,
        write_off=write_off,
        uninsured_reason=reason,
    )


def charge_facts(
    session: Session,
    patient_id: int,
    code: ProcedureCode,
    fee: Decimal,
    dos: dt.date,
    *,
    taxable: bool | None = None,
    insurable: bool | None = None,
    plan_lines: Sequence[PlanLine] = (),
    order: tuple[int, int, int] = LAST,
    key: int = THIS_CHARGE,
) -> ChargeFacts:
    """TX-TAX-1/2, TX-INS-1, TX-AGE-2..4 for one charge of ``fee`` on ``dos`` (see
    :func:`facts_for_charge`)."""
    codes = {code.code, *(line.code for line in plan_lines)}
    return facts_for_charge(
        charge_terms(session, patient_id, codes),
        code=code.code,
        category=code.category,
        code_insurable=code.insurable,
        code_taxable=code.taxable,
        fee=fee,
        dos=dos,
        taxable=taxable,
        insurable=insurable,
        plan_lines=plan_lines,
        order=order,
        key=key,
    )
