"""Old Word (.doc) and WPS (.wps) files, converted to .docx by LibreOffice headless, then read by
index/word.py like any .docx.

LibreOffice runs in a temporary directory with its own user profile (so two conversions never
share a profile lock), in its own process group, with a deadline: on timeout the whole group is
killed and the file is refused. When LibreOffice is not installed the file is refused with that
reason. Debian: `apt-get install libreoffice-writer-nogui`.

A .wps from Kingsoft WPS is the Word binary format under another name; it is handed to
LibreOffice as .doc (by its extension LibreOffice would take it for Microsoft Works).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from index.errors import IngestError

CONVERT_TIMEOUT_S = 120.0          # a first start of LibreOffice with a new profile takes ~5-10 s
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")


@lru_cache(maxsize=1)
def soffice() -> str | None:
    """The LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _input_suffix(data: bytes, suffix: str) -> str:
    if data.startswith(OLE_MAGIC) and _WORD_STREAM in data:
        return ".doc"                        # Word binary, whatever its extension says (Kingsoft .wps)
    return suffix


def _run(cmd: list[str], timeout_s: float) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)   # soffice starts helper processes: end the whole group
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def to_docx(data: bytes, suffix: str, name: str, *, timeout_s: float | None = None) -> bytes:
    """The .docx LibreOffice makes of a .doc / .wps file; IngestError when it cannot, or after
    `timeout_s` (default CONVERT_TIMEOUT_S)."""
    timeout_s = timeout_s or CONVERT_TIMEOUT_S
    binary = soffice()
    if binary is None:
        raise IngestError(f"{name}: {suffix} files are read through LibreOffice, which is not installed on this "
                          "machine; install it (Debian: apt-get install libreoffice-writer-nogui), or save the "
                          "file as .docx or PDF")
    with tempfile.TemporaryDirectory(prefix="zhice-office-") as tmp:
        src = Path(tmp) / f"document{_input_suffix(data, suffix)}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        cmd = [binary, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)]
        try:
            done = _run(cmd, timeout_s)
        except subprocess.TimeoutExpired as e:
            raise IngestError(f"{name}: LibreOffice did not convert it within {timeout_s:.0f} s; "
                              "save it as .docx or PDF") from e
        result = out / "document.docx"
        if done.returncode != 0 or not result.is_file():
            why = done.stderr.decode("utf-8", "replace").strip()[:200] or "no output"
            raise IngestError(f"{name}: LibreOffice could not read it as a {suffix} document ({why}); "
                              "check that it opens in Word or WPS")
        return result.read_bytes()
