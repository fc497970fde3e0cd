"""The pure derivation: stored facts in, typed rows out; no database, no network.

`pipeline.engine` loads rows from the store, calls these functions and writes
what they return. Everything here is tested without a database.
"""
