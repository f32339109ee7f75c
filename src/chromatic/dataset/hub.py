"""Publishing an exported dataset folder to the Hugging Face Hub.

The network is the one edge here that can hang, so nothing is attempted blind: offline mode
(``HF_HUB_OFFLINE``), an endpoint that does not answer within a few seconds and a missing token
are each refused up front with a one-line ``DatasetError``, and whatever the Hub client raises
later is turned into one too. ``huggingface_hub`` is imported only here, only when pushing.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

from chromatic.errors import DatasetError

CONNECT_TIMEOUT_S = 5.0
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def unreachable(endpoint: str, timeout: float = CONNECT_TIMEOUT_S) -> str | None:
    """Why ``endpoint`` cannot be reached (None: a TCP connection opened). Runs in a daemon
    thread, because name resolution ignores socket timeouts and could otherwise hang."""
    url = urlparse(endpoint)
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    outcome: dict[str, str | None] = {}

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome["error"] = None
        except OSError as e:
            outcome["error"] = _first_line(e)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    if "error" not in outcome:
        return f"no answer within {timeout:.0f} s"
    return outcome["error"]


def hub_preflight(*, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Refuse to push, with a clear reason, when offline, unreachable or without a token."""
    from huggingface_hub import constants, get_token

    env = os.environ.get("HF_HUB_OFFLINE", "").strip().lower()
    if constants.HF_HUB_OFFLINE or env in {"1", "true", "yes", "on"}:
        raise DatasetError(
            "cannot push: HF_HUB_OFFLINE is set (offline mode); unset it to publish, or export without --push"
        )
    endpoint = os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
    if not any(
        os.environ.get(v) for v in _PROXY_VARS
    ):  # behind a proxy a direct probe says nothing
        why = unreachable(endpoint, timeout)
        if why:
            raise DatasetError(
                f"cannot push: {endpoint} is unreachable ({why}); check the network, or export without --push"
            )
    if not get_token():
        raise DatasetError(
            "cannot push: no Hugging Face token; run 'hf auth login' or set HF_TOKEN"
        )


def push_dataset(folder: str | Path, repo: str, *, private: bool = True) -> str:
    """Create the dataset repo if needed and upload ``folder``; returns the repo URL."""
    hub_preflight()
    from huggingface_hub import HfApi

    from chromatic import __version__

    api = HfApi()
    try:
        url = api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
        api.upload_folder(
            repo_id=repo,
            folder_path=str(folder),
            repo_type="dataset",
            commit_message=f"chromatic dataset export (chromatic {__version__})",
            ignore_patterns=[".*", ".*/**"],
        )
    except Exception as e:  # the client raises many types (HTTP, auth, validation, connection)
        raise DatasetError(f"push to {repo} failed: {_first_line(e)}") from None
    return str(url)
