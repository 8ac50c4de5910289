"""Commands the evaluation scripts call (shared/eval/README.md): rankings and similarities as JSON Lines."""
from __future__ import annotations

import json
import sys

import click


def _read_jsonl(path: str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise click.ClickException(f"{path}:{lineno}: not JSON ({e.msg})") from e
    return rows


def _field(row: dict, names: tuple[str, ...], path: str, what: str):
    for name in names:
        if name in row:
            return row[name]
    raise click.ClickException(f"{path}: a line has no {what} ({' or '.join(names)})")


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


@click.group("rank")
def rank() -> None:
    """JSON Lines のランキングを出力 / print rankings as JSON Lines."""


@rank.command("docs")
@click.option("--docs", "docs_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help='JSON Lines: {"id" or "file", "title"?, "body" or "text"}')
@click.option("--k", default=5, show_default=True, type=click.IntRange(min=1))
def rank_docs(docs_path: str, k: int) -> None:
    """各文書に似た他の文書 / the most similar other documents for each document."""
    from nlp import document_vectorizer, similar_documents

    rows = _read_jsonl(docs_path)
    ids = [_field(r, ("id", "file"), docs_path, "id") for r in rows]
    texts = [(r.get("title") or "") + "\n" + str(_field(r, ("body", "text"), docs_path, "text"))
             for r in rows]
    vectorizer = document_vectorizer(len(texts), n_jobs=None, progress=len(texts) > 1000)
    indices, _ = similar_documents(texts, k, vectorizer=vectorizer)
    for i, row in enumerate(indices):
        _emit({"query": ids[i], "ranked": [ids[j] for j in row]})


@click.command("similarity")
@click.option("--pairs", "pairs_path", required=True,
              type=click.Path(exists=True, dir_okay=False),
              help='JSON Lines: {"id" or "sentence_pair_id", "a" or "sentence1", "b" or "sentence2"}')
def similarity(pairs_path: str) -> None:
    """文の組の類似度 / similarity of each sentence pair (higher = more similar)."""
    from nlp import pair_similarities, sentence_vectorizer

    rows = _read_jsonl(pairs_path)
    ids = [_field(r, ("id", "sentence_pair_id"), pairs_path, "id") for r in rows]
    a = [str(_field(r, ("a", "sentence1"), pairs_path, "first text")) for r in rows]
    b = [str(_field(r, ("b", "sentence2"), pairs_path, "second text")) for r in rows]
    scores = pair_similarities(a, b, vectorizer=sentence_vectorizer(
        n_jobs=None, progress=len(rows) > 5000))
    for pair_id, score in zip(ids, scores):
        _emit({"id": pair_id, "score": round(float(score), 6)})
