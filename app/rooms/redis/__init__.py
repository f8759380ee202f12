"""Rooms for several workers or hosts: records, counts, the hub's feed and questions, all kept in Redis."""
