"""What every window shares: the application context, the operation helper, widgets and table models."""
