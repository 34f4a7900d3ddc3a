"""Simulators of the desk's serial peers, speaking the documented protocol."""
