"""Classroom rooms: a presenter's position in a trace, its followers count and its questions, one module per job
with a local/ (one process: SQLite and memory) and a redis/ (several processes) form of each (docs/rooms.md)."""
