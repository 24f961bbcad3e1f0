"""Reading a request's form body, as every emulator needs to: urlencoded or multipart/form-data.

Stdlib only (Starlette's `request.form()` needs python-multipart, which the project does not
carry). A body that cannot be read raises `FormError` naming what is wrong; each emulator turns it
into its own platform's refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qsl

from starlette.requests import Request

__all__ = [
    "FORM",
    "MULTIPART",
    "FormError",
    "UploadedFile",
    "content_type",
    "form_fields",
    "multipart",
    "read_form",
    "read_form_or_nothing",
    "urlencoded",
]

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class FormError(ValueError):
    """The body is not a readable form; the message says why."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


def content_type(request: Request) -> tuple[str, Message]:
    """The media type of the request's body, and the header (for its parameters)."""
    header = Message()
    header["content-type"] = request.headers.get("content-type", "")
    return header.get_content_type(), header


def urlencoded(body: bytes, *, strict: bool = False) -> dict[str, str]:
    """The fields of an urlencoded body (blank values kept). Not UTF-8: a `FormError` when
    `strict`, else the bad bytes replaced (what a lenient gateway does)."""
    try:
        text = body.decode("utf-8", errors="strict" if strict else "replace")
    except UnicodeDecodeError:
        raise FormError("the form body is not UTF-8") from None
    return dict(parse_qsl(text, keep_blank_values=True))


def multipart(body: bytes, header: Message) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and file parts."""
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise FormError("Content-Type: multipart/form-data without a boundary")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise FormError("multipart: a part without headers")
        part = Message()
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            key, _, value = line.partition(":")
            part[key.strip()] = value.strip()
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        data = data.removesuffix(b"\r\n")
        if not isinstance(name, str):
            raise FormError("multipart: a part without a name")
        if isinstance(filename, str):
            files[name] = UploadedFile(filename, part.get_content_type(), data)
        else:
            try:
                fields[name] = data.decode("utf-8")
            except UnicodeDecodeError:
                raise FormError(f"multipart: field {name} is not UTF-8") from None
    return fields, files


def form_fields(body: bytes, header: Message) -> dict[str, str]:
    """The text fields of an urlencoded or multipart body; {} for any other body."""
    kind = header.get_content_type()
    if kind == FORM:
        return urlencoded(body)
    if kind == MULTIPART:
        return multipart(body, header)[0]
    return {}


async def read_form(request: Request) -> dict[str, str]:
    """The request's form fields (urlencoded or multipart text fields); {} for other bodies."""
    _, header = content_type(request)
    return form_fields(await request.body(), header)


async def read_form_or_nothing(request: Request) -> dict[str, str]:
    """The body's form fields; an unreadable multipart body has none (the gateway's signature
    check then refuses the call in the platform's own words)."""
    try:
        return await read_form(request)
    except FormError:
        return {}
