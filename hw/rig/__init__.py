"""A radio keyed through Hamlib's rigctld: the protocol, the PTT watchdog, the link, the unkey."""
