"""What a charge will be before it is posted: its tax, whether it is insurable and what insurance is
estimated to pay, and how it ages (TX-TAX-1/2, TX-INS-1, TX-INS-3..5, TX-AGE-2..4).

:func:`charge_terms` reads once what pricing a patient's charge needs (the office's tax method and
rate, the account's ICM, the patient's coverage); :func:`facts_for_charge` applies the rules to
one charge from those terms without touching the database, so the Patient Transactions dialog
can recompute on every keystroke; :func:`charge_facts` does both for one charge. Posting
(:func:`dentaldesk.services.ledger.posting.post_charge_in`) uses :func:`charge_facts`, so the dialog and
the ledger show the same figures. Everything here reads; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Account, Office, Patient, ProcedureCode
from dentaldesk.domain.aging import charge_aging_parts, default_aged_date
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.estimates import EstimateInput, ItemEstimate, PlanCoverage, charge_insurable, estimate_items
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.tax import tax_amount, taxable_state
from dentaldesk.domain.terms import Category, Icm, TaxMethod
from dentaldesk.services.practice.pricing import load_coverages


@dataclass(frozen=True)
class ChargeFacts:
    """What the Charges/Aging and Insurance sections show for a charge before it is posted.

    ``aged_date`` and ``held_amount`` are what posting records (TX-AGE-2..4); ``aged_field`` is
    what the dialog's Aged field shows by default: blank on an insurable ICM 1 or ICM 2 charge,
    where ICM 2 still ages the patient's portion from DOS (``held_amount`` stays current).
    ``estimate`` is the engine's split (TX-INS-3..5), None when the charge is not insurable.
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


@dataclass(frozen=True)
class ChargeTerms:
    """What pricing a patient's charge needs, read once: the office's tax method and rate, the
    account's ICM and the patient's coverage (TX-TAX-1, TX-INS-1, TX-AGE-2..4, INS-*)."""

    tax_method: TaxMethod
    tax_rate: Decimal | None
    icm: Icm
    primary: PlanCoverage | None
    secondary: PlanCoverage | None


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
    return ChargeTerms(TaxMethod(tax_method), tax_rate, Icm(icm), primary, secondary)


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
    ahead: Sequence[EstimateInput] = (),
) -> ChargeFacts:
    """TX-TAX-1/2, TX-INS-1, TX-INS-3..5, TX-AGE-2..4 of one charge from terms read once; no database.

    ``ahead`` are items estimated before this one (a plan's earlier items, INS-2/INS-3), so the
    deductible and the maximum they use are not counted twice. A dialog recomputes this on every
    keystroke; :func:`charge_facts` and posting use it too, so the figures are the same everywhere.
    """
    state = taxable_state(terms.tax_method, terms.tax_rate, code_taxable)
    is_taxable = state.checked if (taxable is None or not state.enabled) else taxable
    is_insurable = terms.primary is not None and charge_insurable(code_insurable, insurable)
    estimate = None
    if is_insurable:
        items = [*ahead, EstimateInput(key=0, code=code, category=category, fee=fee)]
        estimate = estimate_items(items, terms.primary, terms.secondary)[-1]
    insurance = estimate.insurance if estimate is not None else ZERO
    parts = charge_aging_parts(
        fee_total=fee, insurable=is_insurable, icm=terms.icm, dos=dos, estimated_insurance=insurance
    )
    aged, held = parts.aged_date, parts.held_amount
    return ChargeFacts(
        taxable_enabled=state.enabled,
        taxable=is_taxable,
        taxable_reason=state.reason,
        tax=tax_amount(fee, terms.tax_rate, is_taxable),
        insurable=is_insurable,
        estimated_insurance=insurance,
        aged_date=aged,
        held_amount=held,
        aged_field=default_aged_date(insurable=is_insurable, icm=terms.icm, dos=dos),
        estimate=estimate,
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
) -> ChargeFacts:
    """TX-TAX-1/2, TX-INS-1, TX-AGE-2..4 for one charge of ``fee`` on ``dos``."""
    return facts_for_charge(
        charge_terms(session, patient_id, (code.code,)),
        code=code.code,
        category=code.category,
        code_insurable=code.insurable,
        code_taxable=code.taxable,
        fee=fee,
        dos=dos,
        taxable=taxable,
        insurable=insurable,
    )
