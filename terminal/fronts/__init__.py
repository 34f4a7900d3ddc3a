"""Fronts: what the operator (or a script) sees and types. They read state and send intents."""
