"""Rooms for one process: records in the SQLite file, counts, the hub's feed and questions in memory."""
