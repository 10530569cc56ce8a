"""The one URL fetcher every render goes through.

Only ``file:`` URLs inside the allowed folders (the pack, the project's
templates and assets) and ``data:`` URLs are served.  Nothing is fetched from
a network, no file outside those folders is read, and ``<link
rel=attachment>`` cannot embed anything (attachments are refused outright).
Each refusal is remembered, so the build can warn naming the paper.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_RESOURCE_BYTES = 50 * 1024 * 1024


class PackFetcher(URLFetcher):
    def __init__(self, roots):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused = []  # (url, reason), in the order met

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, "not a file inside the pack (nothing is fetched from a network)")
        path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            return self._refuse(url, "outside the pack's folder")
        if not path.is_file():
            return self._refuse(url, "no such file")
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            return self._refuse(url, f"larger than {MAX_RESOURCE_BYTES // (1024 * 1024)} MB")
        mime_type, _ = mimetypes.guess_type(path.name)
        headers = {"Content-Type": mime_type or "application/octet-stream"}
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers)

    def _refuse(self, url, reason):
        self.refused.append((url, reason))
        raise ValueError(f"refused {url}: {reason}")
