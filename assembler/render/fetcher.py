"""The one URL fetcher every render goes through.

Only ``file:`` URLs inside the allowed folders (the pack, the project's
templates and assets, the house's templates) and ``data:`` URLs are served.
Nothing is fetched from a network, no file outside those folders is read,
and no file a private paper uses is served to a part of the public edition
(``off_limits``).  Attachments never reach a PDF: the renderer drops them.
Each refusal is remembered, so the build can warn naming the paper; each
file served is remembered with its digest (``reads``), so the cache keys a
rendered part on exactly the files it drew, as resolved here.
"""

import hashlib
import mimetypes
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from assembler.opened import Replaced, read_checked
from assembler.readers.picture import too_many_pixels

MAX_RESOURCE_BYTES = 50 * 1024 * 1024


class PackFetcher(URLFetcher):
    def __init__(self, roots, off_limits=()):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused = []  # (url, reason), in the order met
        self.reads = {}  # resolved path -> sha256 of the bytes served, or None: no such file
        self.off_limits = frozenset(off_limits)  # resolved paths refused to the part being drawn

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":  # (a Word paper's pictures)
            with urllib.request.urlopen(url) as response:  # decoded here, never fetched
                data, mime_type = response.read(MAX_RESOURCE_BYTES + 1), response.headers.get_content_type()
            if len(data) > MAX_RESOURCE_BYTES or (problem := too_many_pixels(data)):
                return self._refuse(url[:60] + "…", problem or "larger than 50 MB")
            return URLFetcherResponse(url, data, {"Content-Type": mime_type})
        if scheme != "file":
            return self._refuse(url, "not a file inside the pack (nothing is fetched from a network)")
        path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            return self._refuse(url, "outside the pack's folder")
        if str(path) in self.off_limits:
            return self._refuse(url, "a private paper's file, which no public part may show")
        try:
            if not path.is_file():  # (nothing is opened that is not there)
                raise FileNotFoundError(path)
            data = read_checked(path, MAX_RESOURCE_BYTES)  # what was checked is what is read, once
        except Replaced as error:
            self.reads[str(path)] = None
            return self._refuse(url, str(error))
        except OSError:
            self.reads[str(path)] = None
            return self._refuse(url, "no such file")
        if len(data) > MAX_RESOURCE_BYTES:
            return self._refuse(url, f"larger than {MAX_RESOURCE_BYTES // (1024 * 1024)} MB")
        self.reads[str(path)] = hashlib.sha256(data).hexdigest()
        if problem := too_many_pixels(data):
            return self._refuse(url, problem)
        mime_type, _ = mimetypes.guess_type(path.name)
        headers = {"Content-Type": mime_type or "application/octet-stream"}
        return URLFetcherResponse(path.as_uri(), data, headers)

    def _refuse(self, url, reason):
        """Note the refusal (the build warns of it, naming the part) and stop the fetch."""
        self.refused.append((url, reason))
        raise ValueError(f"refused {url}: {reason}")
