"""Where `kyodo serve` spends its start: the steps before gunicorn forks, timed one by one in one
process (wall and CPU seconds), with the snapshots of --index-dir (made by `kyodo build-index`).

    .venv/bin/python bench/start_steps.py --db /tmp/web5k.sqlite3 --index-dir /tmp/idx
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="an SQLite database")
    parser.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=f"sqlite:///{args.db.resolve()}", KYODO_ENV="production",
                      SECRET_KEY="local-" + "x" * 60, KYODO_SECURE_COOKIES="0",
                      KYODO_INDEX_DIR=str(args.index_dir.resolve()))
    gc.disable()  # as `kyodo serve` does until warm_up has frozen what it loaded
    last = [time.perf_counter(), time.process_time()]

    def mark(label: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        print(f"{label:40s} wall {wall - last[0]:6.2f} s  CPU {cpu - last[1]:6.2f} s", flush=True)
        last[:] = [wall, cpu]

    from webapp import create_app
    from webapp.cli import server  # noqa: F401  (what the entry point imports)
    app = create_app()
    mark("import webapp + create_app()")
    from nlp import load_word_vectors

    load_word_vectors()
    mark("word vectors")
    from webapp.db import get_session
    from webapp.services import search, suggestions

    with app.app_context():
        session = get_session()
        suggestions.current_index(session)
        mark(f"matching index ({suggestions.snapshot_cache().source(session)})")
        search.current_index(session)
        mark(f"search index ({search.snapshot_cache().source(session)})")
        suggestions.suggest_theme_ids(session, text="見守り")
        mark("first theme suggestion (Sudachi, glossary)")
    print(f"load average {os.getloadavg()[0]:.1f}; scikit-learn imported: {'sklearn' in sys.modules}")


if __name__ == "__main__":
    main()
