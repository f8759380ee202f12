"""One helper for each recurring test chore: start a real process and stop it (process.py), wait for a condition
(waiting.py). Standard library only, so bench/ imports them too."""

from tests.support.process import ROOT, Process, answers_http, answers_redis, free_port, start_uvicorn
from tests.support.waiting import eventually

__all__ = ["ROOT", "Process", "answers_http", "answers_redis", "eventually", "free_port", "start_uvicorn"]
