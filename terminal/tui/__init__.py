"""The operator console (Textual): a view of the engine that sends the operator's intents."""

from terminal.tui.app import ConsoleApp

__all__ = ["ConsoleApp"]
