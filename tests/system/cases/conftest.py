"""The case API's servers run on one database per module and backend, as the case-store tests do
(tests/support/case_databases.py)."""
from tests.support.case_databases import (  # noqa: F401 (fixtures)
    database_url,
    databases,
    session_factory,
    store,
    test_key,
)
