"""The record: a durable, tamper-evident SQLite log of every call, alert and core event."""
