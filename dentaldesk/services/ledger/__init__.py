"""The account ledger: what a charge will be, posting charges, payments and adjustments, reading
the ledger, and aging (TX-*, AGE-*)."""
