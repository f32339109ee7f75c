"""Ray actors holding the encoders for ``embed --ray``: one batch of segments per call, on the
GPU when the cluster has them. The session and thread-count helpers are ``chromatic.cluster``'s."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from chromatic.cluster import cluster_workers, set_threads, task_error, thread_counts
from chromatic.embed.registry import get_encoder
from chromatic.segments.slicing import decode_flac


class _Encoders:
    """A Ray actor holding the text and audio encoders (loaded once per actor), on the GPU when
    the actor was given one."""

    def __init__(self, text_name: str, audio_name: str, threads: dict | None = None) -> None:
        self.enc = {
            "text": get_encoder(text_name, modality="text"),
            "audio": get_encoder(audio_name, modality="audio"),
        }
        if threads:  # the driver's thread counts: the same sums in the same order, same bits
            set_threads(threads)
        self.device = "cpu"
        try:
            import torch

            if torch.cuda.is_available():
                self.device = "cuda"
                for e in self.enc.values():
                    if hasattr(e, "to_device"):
                        e.to_device("cuda")
        except ImportError:  # pragma: no cover
            pass

    def encode(self, kind: str, payload: list):
        items = payload if kind == "text" else [decode_flac(b) for b in payload]
        return self.enc[kind].encode(items)

    def where(self) -> str:
        return self.device


class EncoderPool:
    """``n`` encoder actors (one GPU each when the cluster has GPUs, else one CPU each); ``map``
    sends chunks round the pool and yields ``(tag, vectors)`` in submission order, keeping at
    most two chunks per actor in flight (so memory holds a few chunks, not the catalog)."""

    def __init__(self, ray, text_name: str, audio_name: str, workers: int | None = None):
        self.ray = ray
        gpus = cluster_workers(ray, "GPU")
        n = min(workers or gpus, gpus) if gpus else workers or max(1, cluster_workers(ray))
        opts = {"num_gpus": 1, "num_cpus": 1} if gpus else {"num_cpus": 1}
        actor = ray.remote(**opts)(_Encoders)
        threads = thread_counts()
        self.actors = [actor.remote(text_name, audio_name, threads) for _ in range(n)]
        self.devices = ray.get([a.where.remote() for a in self.actors])

    def map(self, kind: str, chunks: Iterable[tuple[Any, list]]) -> Iterator[tuple[Any, Any]]:
        window: list[tuple[Any, Any]] = []
        limit = 2 * len(self.actors)
        for i, (tag, payload) in enumerate(chunks):
            actor = self.actors[i % len(self.actors)]
            window.append((tag, actor.encode.remote(kind, payload)))
            if len(window) >= limit:
                tag0, ref = window.pop(0)
                yield tag0, self._get(ref)
        for tag, ref in window:
            yield tag, self._get(ref)

    def _get(self, ref):
        try:
            return self.ray.get(ref)
        except Exception as e:
            raise task_error(self.ray, e) from None
