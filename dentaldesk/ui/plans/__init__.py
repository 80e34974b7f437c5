"""The treatment plan screens: the plan editor, its dialogs, the signature pad (seed 000, TP-*)."""
