"""The tooth chart (odontogram): layout, painting, the panel beside the patient, and its dialogs."""
