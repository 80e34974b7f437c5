"""The Ledger view of one account, read as one action: its header, aging strip, rows and open
claims in one transaction (DATA-1), so the figures shown together come from one state of the
books (the header's balance is the rows' running balance and the strip's total) and the view pays
for one guarded read, not four."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dentaldesk import clock
from dentaldesk.db.models import Account
from dentaldesk.domain.aging import AgingBuckets
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.claims.queries import ClaimSummary, open_claims_in
from dentaldesk.services.ledger.aging import account_aging_in
from dentaldesk.services.ledger.queries import AccountFacts, LedgerRow, account_facts_in, account_ledger_in
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class AccountView:
    """What the Ledger view shows of one account (AGE-1..3, TX-INS-2)."""

    facts: AccountFacts
    buckets: AgingBuckets
    rows: list[LedgerRow]
    claims: list[ClaimSummary]


@guarded(Right.READ_LEDGER, account_id=Account)
def account_view(uow: UnitOfWork, actor: Actor, account_id: int, as_of: dt.date | None = None) -> AccountView:
    """The account's header, buckets on ``as_of`` (default today), rows and open claims, in one read."""
    with uow.read():
        session = uow.session
        return AccountView(
            facts=account_facts_in(session, account_id),
            buckets=account_aging_in(session, account_id, as_of or clock.today()),
            rows=account_ledger_in(session, account_id),
            claims=open_claims_in(session, account_id),
        )
