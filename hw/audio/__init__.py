"""Tones and call recording over PyAudio (PortAudio), with a null mode where there is no sound."""
