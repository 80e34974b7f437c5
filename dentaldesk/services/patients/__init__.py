"""Patients: finding them, the patient header, and adding or editing a patient with account and coverage."""
