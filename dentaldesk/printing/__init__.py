"""The patient handout as a PDF (reportlab) and safe writing of the file (TP-4, TP-15, TP-17).

No Qt here: the printer path in dentaldesk.ui.plans.print_handout renders these same PDF pages onto the
printer, so the handout has one layout whether it is printed, saved or sent.
"""
