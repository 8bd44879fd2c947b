"""Which library reads Chinese government PDFs better: PDFium (pypdfium2) or pdfminer (pdfplumber)?

    .venv/bin/python scripts/compare_pdf_readers.py [--repeats 3]

The seed documents are written as PDFs the two ways official PDFs are made here (eval/documents.py):
  * fpdf2 with Noto Serif CJK (a CFF/PostScript-outline CID font, as InDesign-, Distiller- and
    many converter-made PDFs embed their CJK fonts);
  * LibreOffice's export of the .docx (as a Word or WPS "save as PDF": CJK in one font, digits
    and quotation marks in a Latin font), when LibreOffice is installed.
Each PDF is read by pdfplumber (page.extract_text), by PDFium's own text order (get_text_range) and
by index/pdf.py (PDFium's characters put in lines by position). Printed per reader and maker:
the character error rate against the document's text (normalised, white space, running header
and page numbers removed) and the milliseconds per page (median of the repeats).
"""
from __future__ import annotations

import argparse
import difflib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval import documents as writer
from index.layout import is_page_number
from index.loaders import list_files, load
from index.text import compact

ROOT = Path(__file__).resolve().parent.parent


def plumber(data: bytes) -> list[str]:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pdfium_order(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def ours(data: bytes) -> list[str]:
    from index.pdf import open_pdf, text_layer

    doc = open_pdf(data, "x")
    try:
        return ["\n".join(line.text for line in text_layer(doc[i]).lines) for i in range(len(doc))]
    finally:
        doc.close()


READERS: dict[str, Callable[[bytes], list[str]]] = {"pdfplumber": plumber, "pypdfium2 text order": pdfium_order,
                                                    "index/pdf.py (pypdfium2 by position)": ours}


def body(pages: list[str]) -> str:
    lines = [ln for page in pages for ln in page.splitlines()]
    return compact("".join(ln for ln in lines if ln.strip() and ln.strip() != writer.HEADER and not is_page_number(ln)))


def cer(want: str, got: str) -> float:
    ops = difflib.SequenceMatcher(None, want, got, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal") / max(len(want), 1)


def made(work: Path) -> dict[str, list[tuple[str, bytes]]]:
    """maker -> [(expected text, PDF bytes)] for every seed document."""
    out: dict[str, list[tuple[str, bytes]]] = {"fpdf2 (CFF CID font)": [], "LibreOffice export of .docx": []}
    for path in list_files(ROOT / "corpus"):
        text = load(path).text
        want = compact("".join(ln for ln in text.splitlines() if ln.strip()))
        pdf = work / f"{path.stem}.pdf"
        writer.write_text_pdf(text, pdf)
        out["fpdf2 (CFF CID font)"].append((want, pdf.read_bytes()))
        source = work / f"{path.stem}.docx"
        writer.write_docx(text, source)
        try:
            subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to",
                            "pdf", "--outdir", str(work / "lo"), str(source)], check=True, capture_output=True, timeout=180)
        except (OSError, subprocess.SubprocessError):
            continue
        # LibreOffice writes Word's numbers as text: compare with the .docx's own text
        from index.word import read_docx

        numbered = compact(read_docx(source.read_bytes(), source.name).replace("\n", ""))
        out["LibreOffice export of .docx"].append((numbered, (work / "lo" / f"{path.stem}.pdf").read_bytes()))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhice-pdfcmp-") as tmp:
        for maker, docs in made(Path(tmp)).items():
            if not docs:
                print(f"{maker}: not made (LibreOffice missing)")
                continue
            for name, read in READERS.items():
                times, errors, pages = [], [], 0
                for _ in range(args.repeats):
                    started = time.perf_counter()
                    results = [read(data) for _, data in docs]
                    times.append(time.perf_counter() - started)
                pages = sum(len(r) for r in results)
                errors = [cer(want, body(r)) for (want, _), r in zip(docs, results)]
                print(f"{maker:<30} {name:<38} CER {statistics.mean(errors):6.2%} "
                      f"(worst {max(errors):6.2%})  {1000 * statistics.median(times) / pages:6.1f} ms/page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
