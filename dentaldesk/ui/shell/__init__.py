"""The application's frame: login, first-run set-up, the main window and the idle lock."""
