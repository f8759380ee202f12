"""Classroom rooms: a presenter's position in a trace, kept in the store backend and broadcast to followers.

codes.py makes the short join codes; backends.py keeps room records (SQLite table or Redis keys); hub.py
fans changes out to the event streams of this process (fed in-process, or by Redis pub/sub across processes);
service.py is what the routes call.
"""
