"""``chromatic embed``: concept, lyric and audio embeddings for every segment row.

Vectors are cached by content hash per encoder id in ``DATA/embeddings/cache/<encoder>/``
(parquet shards written atomically after every batch), so a rerun — or a run after an
interruption — encodes only what is missing, and switching encoders never mixes vectors.
The result, ``DATA/embeddings.parquet``, has one row per segment row; an absent modality is a
null vector with its flag false (an instrumental segment has no lyric embedding), never a
silent zero vector.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from chromatic.embed.base import EncoderBase
from chromatic.embed.registry import DEFAULT_AUDIO, DEFAULT_TEXT, get_encoder
from chromatic.errors import CatalogError
from chromatic.fileio import atomic_path
from chromatic.segments.build import SEGMENTS_FILE, read_media

EMBEDDINGS_FILE = "embeddings.parquet"
CACHE_DIR = "embeddings/cache"
META_KEY = b"chromatic.embeddings"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class VectorCache:
    """hash -> vector for one encoder, persisted as parquet shards."""

    def __init__(self, root: Path, encoder: EncoderBase):
        self.dir = root / re.sub(r"[^A-Za-z0-9_.@-]+", "_", encoder.id)
        self.dim = encoder.dim
        self.vectors: dict[str, np.ndarray] = {}
        for shard in sorted(self.dir.glob("shard-*.parquet")):
            t = pq.read_table(shard)
            vecs = np.asarray(
                t.column("vector").combine_chunks().flatten(), dtype=np.float32
            ).reshape(-1, self.dim)
            for h, v in zip(t.column("hash").to_pylist(), vecs, strict=True):
                self.vectors[h] = v

    def __contains__(self, h: str) -> bool:
        return h in self.vectors

    def add(self, hashes: list[str], vectors: np.ndarray) -> None:
        if not hashes:
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(hashes), self.dim) or not np.isfinite(vectors).all():
            raise CatalogError(
                f"encoder returned {vectors.shape} (expected {(len(hashes), self.dim)}) or non-finite values"
            )
        name = hashlib.sha256("".join(hashes).encode()).hexdigest()[:16]
        table = pa.table(
            {
                "hash": pa.array(hashes, pa.string()),
                "vector": pa.FixedSizeListArray.from_arrays(
                    pa.array(vectors.reshape(-1), pa.float32()), self.dim
                ),
            }
        )
        with atomic_path(self.dir / f"shard-{name}.parquet") as tmp:
            pq.write_table(table, tmp)
        for h, v in zip(hashes, vectors, strict=True):
            self.vectors[h] = v


def _batched(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class EmbedResult:
    path: Path
    rows: int
    text_encoder: dict
    audio_encoder: dict
    encoded: dict[str, int]  # newly encoded items per kind
    cached: dict[str, int]
    instrumental: int
    without_audio: int


def embed_segments(
    data_dir: str | Path,
    *,
    text_encoder: str = DEFAULT_TEXT,
    audio_encoder: str = DEFAULT_AUDIO,
    batch_size: int = 32,
    progress: bool = True,
    on_batch: Callable[[str, int], None] | None = None,
    ray: str | None = None,
    workers: int | None = None,
) -> EmbedResult:
    """Embed every segment row (see the module docstring). With ``ray`` (a cluster address,
    or "local") the encoding runs on Ray actors holding the encoders (``embed.pool`` on ``chromatic.cluster``),
    ``workers`` of them (default: one per GPU, else per CPU); the tables are the same."""
    from rich.progress import Progress

    from chromatic.segments.slicing import decode_flac

    data = Path(data_dir)
    seg_path = data / SEGMENTS_FILE
    if not seg_path.is_file():
        raise CatalogError(f"{seg_path} not found; run 'chromatic segments build' first")
    from chromatic.segments.inputs import require_segments_fresh

    require_segments_fresh(data)  # segments made from an older tracks table are refused
    rows = pq.read_table(
        seg_path,
        columns=["segment_id", "song_id", "concept", "lyric_text", "has_lyric", "has_audio"],
    ).to_pylist()
    tenc = get_encoder(text_encoder, modality="text")
    aenc = get_encoder(audio_encoder, modality="audio")
    if tenc.modality != "text" or aenc.modality != "audio":
        raise CatalogError(
            f"--text-encoder must be a text encoder and --audio-encoder an audio encoder (got {tenc.name}, {aenc.name})"
        )
    tcache = VectorCache(data / CACHE_DIR, tenc)
    acache = VectorCache(data / CACHE_DIR, aenc)
    texts: dict[str, str] = {}
    for r in rows:
        if r["concept"]:
            texts[text_hash(r["concept"])] = r["concept"]
        if r["has_lyric"] and r["lyric_text"]:
            texts[text_hash(r["lyric_text"])] = r["lyric_text"]
    todo_text = [h for h in sorted(texts) if h not in tcache]
    audio_rows: dict[str, list[str]] = {}
    for r in rows:
        if r["has_audio"]:
            audio_rows.setdefault(r["song_id"], []).append(r["segment_id"])
    encoded = {"text": 0, "audio": 0}
    audio_hash: dict[str, str] = {}
    encoders = {"text": tenc, "audio": aenc}
    with ExitStack() as stack, Progress(disable=not progress) as bar:
        pool = None
        if ray is not None:  # actors holding the encoders, one chunk per call
            from chromatic.cluster import ray_session
            from chromatic.embed.pool import EncoderPool

            cluster = stack.enter_context(ray_session(ray, num_cpus=workers))
            pool = EncoderPool(cluster, text_encoder, audio_encoder, workers)

        def run(kind: str, cache: VectorCache, chunks, task) -> None:
            """Encode (hashes, payload) chunks, here or on the pool, in order; cache each."""
            if pool is None:
                enc = encoders[kind]
                decode = (
                    (lambda p: p) if kind == "text" else (lambda p: [decode_flac(b) for b in p])
                )
                results = ((tag, enc.encode(decode(p))) for tag, p in chunks)
            else:
                results = pool.map(kind, chunks)
            for (hashes, rows_done), vectors in results:
                cache.add(hashes, vectors)
                encoded[kind] += len(hashes)
                bar.advance(task, rows_done)
                if on_batch:
                    on_batch(kind, encoded[kind])

        t_task = bar.add_task(f"text ({tenc.name})", total=len(todo_text))
        text_chunks = (
            ((c, len(c)), [texts[h] for h in c]) for c in _batched(todo_text, batch_size)
        )
        run("text", tcache, text_chunks, t_task)
        a_task = bar.add_task(
            f"audio ({aenc.name})", total=sum(len(v) for v in audio_rows.values())
        )

        def audio_chunks():
            for song in sorted(audio_rows):  # one song's media in memory at a time
                media = read_media(data, song, audio_rows[song])
                pending: list[tuple[str, bytes]] = []
                queued: set[str] = set()
                for sid in audio_rows[song]:
                    blob = media[sid]["audio_flac"]
                    h = bytes_hash(blob)
                    audio_hash[sid] = h
                    if h not in acache and h not in queued:
                        queued.add(h)
                        pending.append((h, blob))
                chunks = list(_batched(pending, batch_size))
                if not chunks:
                    bar.advance(a_task, len(audio_rows[song]))
                for i, chunk in enumerate(chunks):
                    last = i == len(chunks) - 1
                    tag = ([h for h, _ in chunk], len(audio_rows[song]) if last else 0)
                    yield tag, [b for _, b in chunk]

        run("audio", acache, audio_chunks(), a_task)

    def vec(cache: VectorCache, h: str | None):
        return None if h is None else cache.vectors[h].tolist()

    out_rows = []
    for r in rows:
        ch = text_hash(r["concept"]) if r["concept"] else None
        lh = text_hash(r["lyric_text"]) if r["has_lyric"] and r["lyric_text"] else None
        ah = audio_hash.get(r["segment_id"])
        out_rows.append(
            {
                "segment_id": r["segment_id"],
                "concept_emb": vec(tcache, ch),
                "lyric_emb": vec(tcache, lh),
                "audio_emb": vec(acache, ah),
                "has_concept_emb": ch is not None,
                "has_lyric_emb": lh is not None,
                "has_audio_emb": ah is not None,
                "instrumental": not r["has_lyric"],
            }
        )
    schema = pa.schema(
        [
            ("segment_id", pa.string()),
            ("concept_emb", pa.list_(pa.float32(), tenc.dim)),
            ("lyric_emb", pa.list_(pa.float32(), tenc.dim)),
            ("audio_emb", pa.list_(pa.float32(), aenc.dim)),
            ("has_concept_emb", pa.bool_()),
            ("has_lyric_emb", pa.bool_()),
            ("has_audio_emb", pa.bool_()),
            ("instrumental", pa.bool_()),
        ]
    )
    meta = {
        "text_encoder": tenc.describe(),
        "audio_encoder": aenc.describe(),
        "segments": seg_path.name,
    }
    table = pa.Table.from_pylist(out_rows, schema=schema).replace_schema_metadata(
        {META_KEY: json.dumps(meta).encode()}
    )
    out = data / EMBEDDINGS_FILE
    with atomic_path(out) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return EmbedResult(
        path=out,
        rows=len(out_rows),
        text_encoder=tenc.describe(),
        audio_encoder=aenc.describe(),
        encoded=encoded,
        cached={
            "text": len(texts) - encoded["text"],
            "audio": len(set(audio_hash.values())) - encoded["audio"],
        },
        instrumental=sum(1 for r in out_rows if r["instrumental"]),
        without_audio=sum(1 for r in out_rows if not r["has_audio_emb"]),
    )


def read_embedding_meta(data_dir: str | Path) -> dict:
    path = Path(data_dir) / EMBEDDINGS_FILE
    if not path.is_file():
        raise CatalogError(f"{path} not found; run 'chromatic embed --data {data_dir}' first")
    return json.loads((pq.read_schema(path).metadata or {})[META_KEY])
