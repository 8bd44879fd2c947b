"""Document upload over HTTP: the pure checks, the admin switch and token, and uploads indexed in
the background into a temporary corpus — with the fake assistant, and with a real one whose
answers must then come from the new document."""
from __future__ import annotations

import shutil

import pytest

from api.app import create_api
from rag.settings import Settings
from rag.uploads import UploadError, check_upload
from tests.api.conftest import http
from tests.conftest import ROOT
from tests.fakes.assistant import FakeAssistant
from tests.fakes.embedder import HashEmbedder
from tests.fakes.serving import serve

TOKEN = "s3cret-admin"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ZS = ROOT / "corpus" / "000_58fb13ce8b7c9571.txt"      # 中山
HR = ROOT / "corpus" / "003_7d53d9be34cd3e37.txt"      # 怀仁
HR_QUESTION = "怀仁市到2025年食品抽检合格率目标是多少?"


def settings_in(tmp_path, **kw) -> Settings:
    (tmp_path / "corpus").mkdir(exist_ok=True)
    return Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", **kw)


# ------------------------------------------------------------------ pure checks
@pytest.mark.parametrize(
    "name, data, status, says",
    [
        ("a.exe", b"MZ\x90\x00", 415, "only .txt"),
        ("a.pdf", "一、总则".encode(), 415, "named .pdf but its content is text"),
        ("a.docx", b"%PDF-1.4\n", 415, "named .docx but its content is binary data, a PDF"),
        ("a.png", b"%PDF-1.4\n", 415, "named .png but its content is binary data, a PDF"),
        ("noext", "一、总则".encode(), 415, "no extension"),
        ("a.txt", b"x" * 101, 413, "limit is 100"),
        ("a.txt", b"  \n", 400, "empty"),
        ("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00", 415, "its content is binary data, an image"),
        ("a.txt", b"\x00\x01binary", 415, "binary"),
        ("a.txt", b"\x01\x02\x03abc", 415, "control characters"),
        ("a.html", b"<html><script>x</script></html>", 400, "no text"),
    ],
)
def test_check_upload_refuses(name, data, status, says):
    with pytest.raises(UploadError) as e:
        check_upload(name, data, max_bytes=100)
    assert e.value.status == status and says in e.value.message


def test_check_upload_accepts_utf8_gb18030_html_markdown():
    text = "一、总体要求\n（一）推行首席质量官制度。（市市场监管局牵头）"
    assert check_upload("a.txt", text.encode("utf-8"), 10_000).encoding == "utf-8"
    gb = check_upload("../../etc/A.TXT", text.encode("gb18030"), 10_000)
    assert gb.encoding == "gb18030" and gb.text == text and gb.suffix == ".txt"
    assert gb.file_name.startswith("upload_") and "/" not in gb.file_name and ".." not in gb.file_name
    assert check_upload("a.html", f"<p>{text}</p>".encode(), 10_000).text == text
    assert check_upload("a.md", f"# 标题\n**{text}**".encode(), 10_000).text == f"标题\n{text}"


# ------------------------------------------------------------------ the switch and the token
def test_upload_is_disabled_without_an_admin_token(tmp_path):
    with serve(create_api(FakeAssistant(), settings_in(tmp_path))) as url:
        c = http(url)
        for r in (c.get("/api/documents", headers=AUTH), c.delete("/api/documents/x", headers=AUTH),
                  c.post("/api/documents", files={"file": ("a.txt", b"x")}, headers=AUTH)):
            err = r.json()["error"]
            assert r.status_code == 403 and "ZHICE_ADMIN_TOKEN" in err["message"] and err["code"] == "uploads_disabled"
    assert list((tmp_path / "corpus").iterdir()) == []


def test_every_document_call_needs_the_token(tmp_path):
    with serve(create_api(FakeAssistant(), settings_in(tmp_path, admin_token=TOKEN))) as url:
        c = http(url)
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            for r in (c.get("/api/documents", headers=headers), c.delete("/api/documents/x", headers=headers),
                      c.post("/api/documents", files={"file": ("a.txt", b"x")}, headers=headers)):
                assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
                assert TOKEN not in r.text
    assert list((tmp_path / "corpus").iterdir()) == []


# ------------------------------------------------------------------ uploads with the fake assistant
def admin_api(tmp_path, upload_max_bytes: int):
    """(settings, fake assistant, API app) over the fake assistant with a hashing embedder, one seed document in
    the corpus and uploads allowed up to `upload_max_bytes`."""
    settings = settings_in(tmp_path, admin_token=TOKEN, upload_max_bytes=upload_max_bytes)
    shutil.copy(ZS, settings.corpus_dir / ZS.name)
    fake = FakeAssistant()
    fake.embedder = HashEmbedder()
    return settings, fake, create_api(fake, settings)


def test_upload_list_and_delete_with_background_builds(tmp_path):
    settings, fake, app = admin_api(tmp_path, upload_max_bytes=200_000)
    with serve(app) as url:
        c = http(url)
        data = HR.read_text(encoding="utf-8").encode("gb18030")
        r = c.post("/api/documents", files={"file": ("../../怀仁 plan.txt", data)}, headers=AUTH)
        assert r.status_code == 202, r.text
        doc = r.json()["document"]
        assert doc["doc_id"].startswith("upload_") and doc["encoding"] == "gb18030" and doc["clauses_found"] > 5
        stored = settings.corpus_dir / f"{doc['doc_id']}.txt"
        assert stored.read_bytes() == data and len(list(settings.corpus_dir.iterdir())) == 2
        assert app.state.library.wait(120).state == "idle" and fake.reloads == 1
        listing = c.get("/api/documents", headers=AUTH).json()
        states = {d["doc_id"]: d for d in listing["documents"]}
        assert states[doc["doc_id"]]["state"] == "indexed" and states[doc["doc_id"]]["city"] == "怀仁"
        assert states[ZS.stem]["uploaded"] is False and listing["index"]["builds"] == 1
        assert c.get(f"/api/documents/{doc['doc_id']}", headers=AUTH).json()["document"]["state"] == "indexed"

        assert c.post("/api/documents", files={"file": ("again.txt", data)}, headers=AUTH).status_code == 409
        assert c.post("/api/documents", files={"file": ("big.txt", b"x" * 300_000)}, headers=AUTH).status_code == 413
        r = c.post("/api/documents", files={"file": ("x.html", b"<script>1</script>")}, headers=AUTH)
        assert r.status_code == 400 and r.json()["error"]["param"] == "file"
        r = c.post("/api/documents", data={"file": "not a file"}, headers=AUTH)
        assert r.status_code == 400 and "curl -F file=@plan.txt" in r.json()["error"]["message"]
        assert c.delete(f"/api/documents/{ZS.stem}", headers=AUTH).status_code == 403     # the shipped corpus
        assert c.delete("/api/documents/upload_nothing", headers=AUTH).status_code == 404
        assert c.delete(f"/api/documents/{doc['doc_id']}", headers=AUTH).status_code == 202
        app.state.library.wait(120)
        assert not stored.exists() and fake.reloads == 2
        assert [d["doc_id"] for d in c.get("/api/documents", headers=AUTH).json()["documents"]] == [ZS.stem]


# ------------------------------------------------------------------ the real assistant answers from an upload
def test_the_running_service_answers_from_an_uploaded_document(tmp_path):
    from rag.pipeline import build_assistant
    from rag.service import AssistantService

    settings = settings_in(tmp_path, admin_token=TOKEN)
    shutil.copy(ZS, settings.corpus_dir / ZS.name)
    service = AssistantService(build_assistant(settings, embedder=HashEmbedder()))
    service.start()
    app = create_api(service, settings)
    with serve(app) as url:
        c = http(url)
        before = c.post("/api/ask", json={"question": HR_QUESTION}).json()
        assert before["answerable"] is False
        r = c.post("/api/documents", files={"file": ("plan.txt", HR.read_bytes())}, headers=AUTH)
        doc_id = r.json()["document"]["doc_id"]
        assert app.state.library.wait(120).state == "idle"
        after = c.post("/api/ask", json={"question": HR_QUESTION}).json()
        assert after["answerable"] is True and "98%" in after["answer"]
        assert {cite["doc_id"] for cite in after["citations"]} == {doc_id}
        c.delete(f"/api/documents/{doc_id}", headers=AUTH)
        app.state.library.wait(120)
        assert c.post("/api/ask", json={"question": HR_QUESTION}).json()["answerable"] is False


def test_the_build_reuses_the_served_embedder():
    from types import SimpleNamespace

    from api.documents import served_embedder

    assert served_embedder(FakeAssistant()) is None
    loaded = HashEmbedder()
    assert served_embedder(SimpleNamespace(embedder=None, components=SimpleNamespace(dense=SimpleNamespace(embedder=loaded)))) is loaded
    assert served_embedder(SimpleNamespace(embedder=loaded)) is loaded


def test_a_chunked_upload_without_a_length_is_bounded_too(tmp_path):
    settings = settings_in(tmp_path, admin_token=TOKEN, upload_max_bytes=1000)
    boundary = "zhice-test"

    def body():
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
               "Content-Type: text/plain\r\n\r\n").encode()
        for _ in range(200):
            yield b"a" * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    with serve(create_api(FakeAssistant(), settings)) as url:
        r = http(url).post("/api/documents", content=body(),
                           headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"
    assert r.request.headers["transfer-encoding"] == "chunked" and list(settings.corpus_dir.iterdir()) == []


# ------------------------------------------------------------------ PDF, Word, WPS and scans
def _written(tmp_path, kind: str) -> bytes:
    from eval import documents as writer

    path = tmp_path / f"plan.{kind}"
    text = HR.read_text(encoding="utf-8")
    if kind == "docx":
        writer.write_docx(text, path)
    elif kind == "pdf":
        writer.write_text_pdf(text, path)
    else:
        images = list(writer.page_images(text))[:1]
        images[0].save(path, "PNG")
    return path.read_bytes()


def test_check_parses_reads_a_docx_and_a_text_pdf(tmp_path):
    from rag.uploads import check_parses

    for kind in ("docx", "pdf"):
        parsed = check_parses(check_upload(f"plan.{kind}", _written(tmp_path, kind), 5_000_000))
        assert parsed.format == kind and parsed.clauses and parsed.clauses > 30 and parsed.ocr is False
    assert parsed.pages and parsed.pages > 10


def test_a_scan_is_left_to_the_build_when_the_server_has_ocr_and_refused_when_not(tmp_path, monkeypatch):
    from index import ocr
    from rag.uploads import check_parses

    checked = check_upload("scan.png", _written(tmp_path, "png"), 5_000_000)
    monkeypatch.setattr(ocr, "engine", lambda: ocr.OcrEngine("tesseract", "chi_sim"))
    assert check_parses(checked).to_json() == {"clauses_found": None, "format": "image", "pages": None, "ocr": True}
    monkeypatch.setattr(ocr, "engine", lambda: None)
    with pytest.raises(UploadError) as e:
        check_parses(checked)
    assert e.value.status == 422 and e.value.code == "reader_missing" and "Tesseract" in e.value.message


def test_a_doc_needs_libreoffice_and_a_broken_pdf_is_unreadable(tmp_path, monkeypatch):
    from index import office
    from rag.uploads import check_parses

    doc = check_upload("old.doc", office.OLE_MAGIC + b"\x00" * 600, 5_000_000)
    monkeypatch.setattr(office, "soffice", lambda: None)
    with pytest.raises(UploadError) as e:
        check_parses(doc)
    assert e.value.code == "reader_missing" and "LibreOffice" in e.value.message
    monkeypatch.setattr(office, "soffice", lambda: "/usr/bin/soffice")
    assert check_parses(doc).clauses is None
    with pytest.raises(UploadError) as e:
        check_parses(check_upload("broken.pdf", b"%PDF-1.4\n garbage", 5_000_000))
    assert e.value.status == 422 and e.value.code == "unreadable"


def test_a_docx_upload_is_indexed_with_its_format(tmp_path):
    settings, _, app = admin_api(tmp_path, upload_max_bytes=2_000_000)
    with serve(app) as url:
        c = http(url)
        r = c.post("/api/documents", files={"file": ("怀仁.docx", _written(tmp_path, "docx"))}, headers=AUTH)
        assert r.status_code == 202, r.text
        doc = r.json()["document"]
        assert doc["format"] == "docx" and doc["encoding"] == "binary" and doc["clauses_found"] > 30
        assert (settings.corpus_dir / f"{doc['doc_id']}.docx").is_file()
        assert app.state.library.wait(120).state == "idle"
        listed = {d["doc_id"]: d for d in c.get("/api/documents", headers=AUTH).json()["documents"]}[doc["doc_id"]]
        assert listed["state"] == "indexed" and listed["format"] == "docx" and listed["city"] == "怀仁"
        r = c.post("/api/documents", files={"file": ("fake.pdf", "一、总则".encode())}, headers=AUTH)
        assert r.status_code == 415 and r.json()["error"]["code"] == "wrong_content"
