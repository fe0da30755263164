"""Child process of :mod:`chainatlas.store.sqlite_reader`: queries, as Arrow, to stdout.

Run as a script (never imported into the server): it opens the SQLite file read-only
through the ADBC SQLite driver, runs the queries it is given on standard input (JSON:
``uri`` and ``queries``, each with ``sql``, ``params`` and ``dictionary``, the text
columns to send dictionary-encoded) in one read transaction, and writes each result to
standard output as one Arrow IPC stream, in order. The ADBC driver links its own copy of
SQLite, which is safe only in a process of its own. Any failure exits non-zero with the
reason on standard error.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _send(cur: Any, query: dict[str, Any], out: Any) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    # large batches: fewer Arrow chunks (and dictionaries) for the parent to join
    cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 18)})
    cur.execute(query["sql"], tuple(query["params"]))
    reader = cur.fetch_record_batch()
    encode = set(query["dictionary"])
    schema = pa.schema(
        [
            pa.field(f.name, pa.dictionary(pa.int32(), f.type)) if f.name in encode else f
            for f in reader.schema
        ]
    )
    with pa.ipc.new_stream(out, schema) as writer:
        for batch in reader:
            cols = [
                pc.dictionary_encode(col) if name in encode else col
                for name, col in zip(batch.schema.names, batch.columns, strict=True)
            ]
            writer.write_batch(pa.record_batch(cols, schema=schema))


def main() -> int:
    """Run the queries read from stdin; return the exit status."""
    import adbc_driver_sqlite.dbapi as adbc

    job = json.loads(sys.stdin.read())
    con = adbc.connect(job["uri"])
    try:
        cur = con.cursor()
        for query in job["queries"]:
            _send(cur, query, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
