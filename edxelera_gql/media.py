"""Media types with rules attached: an HLS playlist plays with its whole folder (segments and
variant playlists), so signing and importing treat it differently from a single file."""

from __future__ import annotations

HLS_MIME_TYPES = frozenset({"application/vnd.apple.mpegurl", "application/x-mpegurl"})


def is_hls(mime_type: str) -> bool:
    return mime_type.lower() in HLS_MIME_TYPES


def hls_folder(cloud_front_path: str, mime_type: str) -> str | None:
    """The folder an HLS video's signed URL opens (``folder/*``, where ``*`` also crosses
    ``/``), ending in ``/``; None for a single-file video."""
    if not is_hls(mime_type):
        return None
    return cloud_front_path.rsplit("/", 1)[0] + "/"
