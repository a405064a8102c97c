"""The case-store tests share one database per module and backend (tests/support/case_databases.py)."""
from tests.support.case_databases import (  # noqa: F401 (fixtures)
    database_url,
    databases,
    postgres_databases,
    session_factory,
    store,
    test_key,
)
