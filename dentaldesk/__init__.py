"""DentalDesk: treatment planning and front-desk practice management."""

__version__ = "0.1.0"
