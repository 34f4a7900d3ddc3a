"""Sans-I/O wire protocol of both serial links: framing, message catalogue, link session."""
