"""What keeps ingestion flat as the store grows: the near-duplicate index in SQLite (migration 4
from a store of version 3), and extraction in worker processes stored in input order."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "kb"))
from kbfixtures import build  # noqa: E402

from communique.errors import InputError  # noqa: E402
from communique.resolve import duplicates  # noqa: E402
from communique.store import Store, queries  # noqa: E402
from communique.store.schema import MIGRATIONS  # noqa: E402

TEXT = " ".join(f"word{i}" for i in range(200))


def _links(store: Store, kind: str) -> set[tuple[str, str]]:
    return {(r["a"], r["b"]) for r in store.rows("SELECT a, b FROM doc_links WHERE kind = ?",
                                                  (kind,))}


def test_near_duplicates_are_found_through_the_band_table(tmp_path):
    with Store(tmp_path / "kb.db") as store:
        store.add(build("a.txt", TEXT))
        store.add(build("b.txt", " ".join(f"other{i}" for i in range(200))))
        store.add(build("c.txt", TEXT.replace("word100", "changed")))
        assert _links(store, "duplicate") == {("c.txt", "a.txt")}
        bands = store.rows("SELECT doc, COUNT(*) AS n FROM minhash_bands GROUP BY doc")
        assert {r["doc"]: r["n"] for r in bands} == {d: duplicates.BANDS
                                                      for d in ("a.txt", "b.txt", "c.txt")}


def test_a_new_version_leaves_the_near_duplicate_index(tmp_path):
    with Store(tmp_path / "kb.db") as store:
        store.add(build("a.txt", TEXT, source="s/a.txt"))
        assert store.add(build("a.txt", TEXT + " more", source="s/a.txt")) == "new_version"
        docs = {r["doc"] for r in store.rows("SELECT doc FROM minhash_signatures")}
        assert len(docs) == 1 and "a.txt" not in docs


def test_a_rolled_back_document_leaves_no_band(tmp_path, monkeypatch):
    with Store(tmp_path / "kb.db") as store:
        def fail(*args):
            raise RuntimeError("boom")

        monkeypatch.setattr(store, "_merge_events", fail)
        try:
            store.add(build("a.txt", TEXT))
        except RuntimeError:
            pass
        assert store.rows("SELECT COUNT(*) AS n FROM minhash_bands")[0]["n"] == 0


def test_migration_4_moves_signatures_of_a_version_3_store_into_the_index(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:3], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    old = build("a.txt", TEXT, published="2021-03-04")
    conn.execute(
        "INSERT INTO documents (id, name, source, content_hash, published, text, seq, ingested_at,"
        " extraction, minhash, length) VALUES (?,?,?,?,?,?,1,'2021-03-04',?,?,?)",
        ("a.txt", "a.txt", "fixtures/a.txt", old.document.content_hash, "2021-03-04", TEXT,
         json.dumps(old.to_dict()), duplicates.to_bytes(duplicates.minhash(TEXT)), len(TEXT)))
    conn.close()
    with Store(path) as store:
        assert store.rows("SELECT month FROM documents")[0]["month"] == "2021-03"
        store.add(build("c.txt", TEXT.replace("word100", "changed")))
        assert _links(store, "duplicate") == {("c.txt", "a.txt")}
        columns = {r["name"] for r in store.rows("PRAGMA table_info(documents)")}
        assert "minhash" not in columns


def test_worker_processes_give_what_one_process_gives_in_input_order(sample_seeds):
    from communique.ingest import read_sources
    from communique.ingest.workers import extracted

    items = list(read_sources([str(sample_seeds)]))
    items.insert(2, InputError("bad.txt", "unreadable"))
    skip = items[3].id

    def wanted(doc):
        return doc.id != skip

    one = [(getattr(i, "id", None), o) for i, o in extracted(items, 1, wanted)]
    two = [(getattr(i, "id", None), o) for i, o in extracted(items, 2, wanted)]
    assert [i for i, _ in two] == [getattr(i, "id", None) for i in items]
    assert [o.to_dict() if o else o for _, o in two] == [o.to_dict() if o else o for _, o in one]
    assert two[2][1] is None and two[3][1] is None


def test_ingest_with_workers_builds_the_store_one_process_builds(cli, tmp_path, sample_seeds):
    stores = {}
    for workers in (1, 2):
        db = tmp_path / f"kb{workers}.db"
        result = cli("ingest", sample_seeds, "--db", db, "--workers", workers, "-q")
        assert result.exit_code == 0, result.stderr
        with Store(db, readonly=True) as store:
            stores[workers] = ([(d["id"], d["title"]) for d in queries.list_documents(store)[0]],
                               [(e["id"], e["n_sources"]) for e in queries.timeline(store)])
    assert stores[1] == stores[2] and stores[1][0]


def test_serve_answers_from_several_processes(tmp_path, sample_seeds):
    import os
    import socket
    import subprocess
    import time

    import httpx

    db = tmp_path / "kb.db"
    with Store(db) as store:
        from communique.ingest import read_sources
        from communique.ingest.workers import extracted

        for _, x in extracted(read_sources([str(sample_seeds)])):
            store.add(x)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "COMMUNIQUE_TOKEN"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from communique.cli import main; main()", "serve", "--db", str(db),
         "--port", str(port), "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/api/timeline?limit=3", timeout=5).json()
                break
            except httpx.HTTPError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.2)
        assert len(body["items"]) == 3 and body["total"] > 3
        upload = httpx.post(f"http://127.0.0.1:{port}/api/documents", data={"text": "x"})
        assert upload.status_code in (401, 403)  # no token: read-only in every process
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "2 processes" in err


def test_workers_end_when_the_ingest_is_killed(tmp_path, sample_seeds):
    import os
    import signal
    import subprocess
    import time

    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(12):
        for f in sorted(sample_seeds.glob("*.txt")):
            (corpus / f"{i}-{f.name}").write_text(f"{i}\n\n" + f.read_text("utf-8"), "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from communique.cli import main; main()", "ingest", str(corpus),
         "--db", str(tmp_path / "kb.db"), "--workers", "2", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def workers() -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True,
                             text=True).stdout
        return [int(p) for p in out.split()]

    deadline = time.monotonic() + 60
    while len(workers()) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "no workers started"
        time.sleep(0.1)
    started = workers()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while any(os.path.exists(f"/proc/{pid}") and _alive(pid) for pid in started):
        assert time.monotonic() < deadline, "workers outlived the ingest"
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its exit status to be read."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
