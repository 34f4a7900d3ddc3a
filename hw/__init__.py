"""Hardware adapters: serial links, GPIO, audio, simulators."""
