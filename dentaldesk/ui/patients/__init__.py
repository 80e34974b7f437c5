"""The Patients page, the patient header and the patient dialog."""
