"""Pure practice rules: money, teeth, codes, fees, tax, aging, estimates, plans.

Imports only the standard library (STYLE.md convention 1, enforced by import-linter).
"""
