"""Optical character recognition of page images with Tesseract (`chi_sim`), bounded in time.

The `tesseract` binary is called directly with subprocess (image bytes on stdin, text on stdout):
the wrappers on PyPI (pytesseract) call the same binary through temporary files and add nothing
this needs, while a direct call gives the timeout and the process's end into our hands. Each page
is one call with its own deadline; a page that times out ends the process and fails the document
(IngestError), so a build never hangs on a bad scan and never indexes a half-read document.

Tesseract writes a space between Chinese characters; those are removed (spaces between Latin
words and numbers stay). Debian: `apt-get install tesseract-ocr tesseract-ocr-chi-sim`.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice

import numpy as np
from PIL import Image

from index.errors import IngestError
from index.layout import Line, Page
from index.text import is_traditional

# The script is told by the first pages, read with both Chinese models, and the rest is read with
# the one model that fits: on pages of the seed documents (character error rate, normalised text)
# simplified text: chi_sim 0.48 %, both 0.44 % but 1.4x the time; traditional text: chi_sim
# 4.5 %, chi_tra 1.9 %, both 2.0 %. Adding eng made Tesseract read whole Chinese words as Latin
# ("有关单位" -> "ARAL"): chi_sim reads digits and the Latin letters of a plan well enough.
SIMPLIFIED, TRADITIONAL = "chi_sim", "chi_tra"
PROBE_CJK = 100                    # Chinese characters read before the script is decided
OCR_WORKERS = 2                    # pages read by Tesseract at once (one core each)
RENDER_DPI = 200                   # PDF pages are rendered at this resolution, then sized (below)
# Tesseract reads Chinese best when a text line is ~35 px high: at 300 dpi a 16 pt body line
# (三号, the size GB/T 9704 sets for official documents) is ~67 px and the character error rate
# was 2.6 %, at 150-200 dpi (33-44 px) 0.5-0.6 %. Images are scaled so their median text line is this high.
LINE_PX = 36
MAX_PIXELS = 40_000_000            # a page image larger than this is refused (a 600 dpi A3 scan is ~70 MP)
PAGE_TIMEOUT_S = 90.0              # one page on one core takes ~1-2 s (see README)
PSM = "4"                          # "a single column of text of variable sizes": an official document's page

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’]")
_GAP = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class OcrEngine:
    binary: str
    languages: str                 # what Tesseract is told to read: "chi_sim", "chi_tra", "chi_sim+chi_tra"
    installed: frozenset[str] = frozenset({SIMPLIFIED})

    def run(self, png: bytes, *, output: str = "txt", timeout_s: float | None = None) -> str:
        """Tesseract's output for one page image (PNG bytes): "txt" or "tsv"; IngestError on failure
        or after `timeout_s` (default PAGE_TIMEOUT_S)."""
        timeout_s = timeout_s or PAGE_TIMEOUT_S
        cmd = [self.binary, "stdin", "stdout", "-l", self.languages, "--psm", PSM]
        if output == "tsv":
            cmd.append("tsv")
        env = dict(os.environ, OMP_THREAD_LIMIT="1")      # one core a page: pages run in parallel instead
        try:
            done = subprocess.run(cmd, input=png, capture_output=True, timeout=timeout_s, env=env, check=False)
        except subprocess.TimeoutExpired as e:
            raise IngestError(f"OCR of a page took longer than {timeout_s:.0f} s; the scan is too large or "
                              "damaged (split it, or lower its resolution)") from e
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise IngestError(f"Tesseract failed on a page ({why[0][:200]})")
        return done.stdout.decode("utf-8", "replace")

    def read_page(self, image: Image.Image, *, points_per_px: float) -> tuple[Page, float]:
        """One page image as positioned lines (in points: pixels x points_per_px) and Tesseract's
        mean word confidence (0-100)."""
        sized, factor = size_for_ocr(image)
        buf = io.BytesIO()
        sized.save(buf, "PNG")
        lines, conf = tsv_lines(self.run(buf.getvalue(), output="tsv"), points_per_px / factor)
        return Page(tuple(lines), image.width * points_per_px, ocr=True), conf


    def read_images(self, images: Iterable[tuple[Image.Image, float]]) -> tuple[list[Page], float]:
        """Pages (image, points per pixel) read in order, OCR_WORKERS at a time, only that many
        images held at once; the script decided on the first pages. Mean confidence too."""
        it = iter(images)
        pages, confs, seen = [], [], ""
        probe = replace(self, languages="+".join(x for x in (SIMPLIFIED, TRADITIONAL) if x in self.installed))
        while len(re.findall(r"[\u4e00-\u9fff]", seen)) < PROBE_CJK and (first := next(it, None)) is not None:
            page, conf = probe.read_page(first[0], points_per_px=first[1])
            pages.append(page)
            confs.append(conf)
            seen += "".join(ln.text for ln in page.lines)
        script = TRADITIONAL if TRADITIONAL in self.installed and is_traditional(seen) else SIMPLIFIED
        reader = replace(self, languages=script)
        with ThreadPoolExecutor(max_workers=OCR_WORKERS) as pool:
            while batch := list(islice(it, OCR_WORKERS)):
                for page, conf in pool.map(lambda a: reader.read_page(a[0], points_per_px=a[1]), batch):
                    pages.append(page)
                    confs.append(conf)
        return pages, (sum(confs) / len(confs) if confs else 0.0)


def size_for_ocr(image: Image.Image) -> tuple[Image.Image, float]:
    """The page in grey, scaled so that its median text line is ~LINE_PX high; and the factor."""
    grey = image.convert("L")
    height = median_line_px(grey)
    factor = 1.0 if height is None else min(max(LINE_PX / height, 0.25), 3.0)
    if abs(factor - 1.0) < 0.1:
        return grey, 1.0
    size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
    return grey.resize(size, Image.Resampling.LANCZOS), factor


def median_line_px(grey: Image.Image) -> float | None:
    """The median height of the bands of rows that hold ink (text lines), or None on a blank page."""
    ink = np.asarray(grey) < 128
    rows = ink.sum(axis=1) > max(2, ink.shape[1] // 400)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rows.astype(np.int8), [0]))))
    heights = edges[1::2] - edges[::2]
    heights = heights[heights >= 4]
    return float(np.median(heights)) if heights.size else None


def tsv_lines(tsv: str, scale: float) -> tuple[list[Line], float]:
    """Tesseract's TSV (one row per word) -> lines with their boxes (times `scale`), mean confidence."""
    words: dict[tuple[str, str, str], list[list[str]]] = {}
    confs: list[float] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        words.setdefault((cols[2], cols[3], cols[4]), []).append(cols)
        confs.append(float(cols[10]))
    lines = [_line(ws, scale) for ws in words.values()]
    lines.sort(key=lambda ln: ln.top)
    return lines, (sum(confs) / len(confs) if confs else 0.0)


def _line(words: list[list[str]], scale: float) -> Line:
    left = min(int(w[6]) for w in words)
    right = max(int(w[6]) + int(w[8]) for w in words)
    top = min(int(w[7]) for w in words)
    bottom = max(int(w[7]) + int(w[9]) for w in words)
    text = tidy(" ".join(w[11] for w in words))
    return Line(text, left * scale, right * scale, top * scale, (bottom - top) * scale)


def image_pages(data: bytes, name: str, max_pages: int) -> Iterator[Image.Image]:
    """The frames of an image file (a TIFF may hold many pages), each checked for size."""
    try:
        image = Image.open(io.BytesIO(data))
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise IngestError(f"{name}: not a readable image ({type(e).__name__}); re-scan or re-save it as PNG/JPEG/TIFF") from e
    frames = getattr(image, "n_frames", 1)
    if frames > max_pages:
        raise IngestError(f"{name}: {frames} pages, over the limit of {max_pages}; split it")
    for i in range(frames):
        image.seek(i)
        if image.width * image.height > MAX_PIXELS:
            raise IngestError(f"{name}: page {i + 1} has {image.width}x{image.height} pixels, over the limit of "
                              f"{MAX_PIXELS // 1_000_000} million; scan it at 300 dpi or less")
        yield image.copy()


def _gap(m: re.Match[str]) -> str:
    """A run of spaces between two words: gone when a Chinese character stands on either side."""
    text, start, end = m.string, m.start(), m.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return "" if _CJK.match(before) or _CJK.match(after) else " "


def tidy(text: str) -> str:
    """Tesseract's text with the spaces it puts around Chinese characters removed, lines kept."""
    lines = (_GAP.sub(_gap, line).strip() for line in text.replace("\f", "\n").splitlines())
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=1)
def engine() -> OcrEngine | None:
    """The installed Tesseract with Chinese, or None (checked once per process)."""
    binary = shutil.which("tesseract")
    if binary is None:
        return None
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    langs = set(listed.stdout.decode("utf-8", "replace").split())
    if SIMPLIFIED not in langs:
        return None
    return OcrEngine(binary, SIMPLIFIED, frozenset(langs & {SIMPLIFIED, TRADITIONAL}))


def require_engine(what: str) -> OcrEngine:
    """The engine, or IngestError saying that `what` needs OCR and how to install it."""
    found = engine()
    if found is None:
        raise IngestError(f"{what} needs OCR, and Tesseract with Chinese (chi_sim) is not installed on this "
                          "machine; install it (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim) "
                          "and build again")
    return found
