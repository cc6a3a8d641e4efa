"""Writes: the upload form and POST /api/documents, through the real ingest path
(read_sources -> language.segment -> extract.pipeline.extract -> Store.add). Token required."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse

from . import links
from .deps import render, require_token

router = APIRouter()

MAX_BYTES = 5_000_000
_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
_UNSAFE = re.compile(r"[^\w.\-]+")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _safe_name(name: str | None, default: str) -> str:
    name = _UNSAFE.sub("_", Path(name or "").name).strip("._") or default
    if not name.lower().endswith(_SUFFIXES):
        name += ".txt"
    return name[:120]


def ingest_upload(db_path: str, *, data: bytes, filename: str, title: str | None = None,
                  published: str | None = None) -> list[dict]:
    """Ingest one uploaded file; [{doc, status}] per document it held. Raises HTTPException."""
    from ..errors import InputError
    from ..extract.pipeline import extract
    from ..ingest import read_sources
    from ..language import segment
    from ..store import Store

    results = []
    with tempfile.TemporaryDirectory(prefix="communique-upload-") as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        documents = list(read_sources([str(path)], max_bytes=MAX_BYTES))
        errors = [d for d in documents if isinstance(d, InputError)]
        documents = [d for d in documents if not isinstance(d, InputError)]
        if errors and not documents:
            raise HTTPException(422, "; ".join(f"{filename}: {e.message}" for e in errors))
        with Store(db_path) as store:
            for doc in documents:
                doc.source = f"upload:{filename}"
                if title:
                    doc.title = title
                if published:
                    doc.published = published
                extraction = extract(segment(doc))
                status = store.add(extraction)
                results.append({"doc": doc.id, "status": status,
                                "url": links.document_url(doc.id),
                                "events": len(extraction.events),
                                "entities": len(extraction.entities)})
    return results


async def _payload(file: UploadFile | None, text: str | None) -> tuple[bytes, str | None]:
    if file is not None and file.filename:
        data = await file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise HTTPException(413, f"the file is larger than {MAX_BYTES} bytes")
        return data, file.filename
    if text and text.strip():
        data = text.encode("utf-8")
        if len(data) > MAX_BYTES:
            raise HTTPException(413, f"the text is larger than {MAX_BYTES} bytes")
        return data, None
    raise HTTPException(422, "send a file or some text")


def _check_published(published: str | None) -> str | None:
    published = (published or "").strip() or None
    if published and not _DATE.match(published):
        raise HTTPException(422, "published must be a date such as 2021-06-28, 2021-06 or 2021")
    return published


@router.post("/api/documents", status_code=201, tags=["writes"],
             summary="Ingest a document (needs the server's token)")
async def post_document(request: Request, file: UploadFile | None = File(None),
                        text: str | None = Form(None), title: str | None = Form(None),
                        published: str | None = Form(None), name: str | None = Form(None),
                        token: str | None = Form(None)) -> dict:
    """A file (.txt, .html, .jsonl) or text, with an optional title and publication date.
    The token goes in `Authorization: Bearer <token>` or the form field `token`."""
    require_token(request, token)
    data, filename = await _payload(file, text)
    published = _check_published(published)
    from starlette.concurrency import run_in_threadpool

    results = await run_in_threadpool(
        ingest_upload, request.app.state.db_path, data=data,
        filename=_safe_name(filename or name, "upload.txt"),
        title=(title or "").strip() or None, published=published)
    return {"documents": results}


@router.get("/upload", include_in_schema=False)
def upload_form(request: Request):
    return render(request, "upload.html", {"title": "Upload"})


@router.post("/upload", include_in_schema=False)
async def upload_submit(request: Request, file: UploadFile | None = File(None),
                        text: str | None = Form(None), title: str | None = Form(None),
                        published: str | None = Form(None), name: str | None = Form(None),
                        token: str | None = Form(None)):
    result = await post_document(request, file=file, text=text, title=title,
                                 published=published, name=name, token=token)
    docs = result["documents"]
    if len(docs) == 1:
        return RedirectResponse(docs[0]["url"], status_code=303)
    return render(request, "upload.html", {"title": "Upload", "results": docs})
