"""Everything PySide6: windows, views, dialogs, item models. Calls services; holds no session."""
