"""The PostgreSQL + pgvector backend's groundwork: an embedded server, the schema, connections.

Needs the `postgres` extra (pip install 'praktijkbank[postgres]'); nothing here is imported
by the SQLite code path, so the default install does not need it.
"""
