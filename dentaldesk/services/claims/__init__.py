"""Insurance claims: filing, insurance payments, completion, and reading claims (TX-INS-2, INS-3, INS-8)."""
