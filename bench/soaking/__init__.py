"""The soak: `hotline service` as a child under a compressed month of calls, alerts and link
drops, driven over ptys by the simulators and over its control socket (bench/soak.py)."""
