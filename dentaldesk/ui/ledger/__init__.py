"""The Ledger view, its posting dialogs and the office aging report."""
