"""Survey definitions that ship with Kyoso, as plain Python data."""
