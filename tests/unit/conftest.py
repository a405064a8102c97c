"""The unit tier does no I/O beyond reading the repository's files (and a small temporary file now and
then): every test here runs with network connections, subprocesses and database connections refused,
so a test that needs one fails at once and belongs in tests/integration or tests/system."""
import socket
import sqlite3
import subprocess

import psycopg2
import pytest


class UnitTestDidIO(AssertionError):
    pass


def _refuse(what: str):
    def refused(*args, **kwargs):
        raise UnitTestDidIO(f"a unit test used {what}: move it to tests/integration or tests/system")
    return refused


@pytest.fixture(autouse=True)
def _no_io(monkeypatch):
    # connect and bind, not socket creation: asyncio's event loop makes a socket pair for itself
    monkeypatch.setattr(socket.socket, "connect", _refuse("the network"))
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse("the network"))
    monkeypatch.setattr(socket.socket, "bind", _refuse("the network"))
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("a subprocess"))
    monkeypatch.setattr(sqlite3.dbapi2, "connect", _refuse("a database"))  # what SQLAlchemy calls
    monkeypatch.setattr(sqlite3, "connect", _refuse("a database"))
    monkeypatch.setattr(psycopg2, "connect", _refuse("a database"))
