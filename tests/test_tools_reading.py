"""The file-read policy and the text checks, on real files: a path is a way for the model to make the server
read files, so everything outside the policy is refused with a message that names the problem."""

from __future__ import annotations

import codecs
import os
import threading
from pathlib import Path

import pytest

from postmortem_actions.store.errors import DocumentTooLarge, InvalidInput, NotText, PathNotAllowed
from postmortem_actions.tools.document_files import ReadPolicy, check_text, decode, read_document, resolve_allowed

MAX_BYTES = 2_000
DOC = "# Checkout outage\n\nWe will add an alert on queue depth.\n"
KEY_BLOCK = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


@pytest.fixture
def allowed(tmp_path: Path) -> Path:
    folder = tmp_path / "allowed"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the allowed one, holding a perfectly readable document."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "other.md").write_text(DOC, encoding="utf-8")
    return folder


@pytest.fixture
def policy(allowed: Path) -> ReadPolicy:
    return ReadPolicy(allowed_dirs=(allowed,), max_bytes=MAX_BYTES)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", newline="")
    return path


# -- where a file may be -------------------------------------------------------------------------


def test_a_document_in_the_allowed_folder_is_read(allowed: Path, policy: ReadPolicy) -> None:
    path = write(allowed / "outage.md", DOC)

    resolved, text = read_document(str(path), policy)

    assert resolved == path.resolve()
    assert text == DOC


def test_a_relative_path_starts_at_the_first_allowed_folder(tmp_path: Path, allowed: Path) -> None:
    second = tmp_path / "second"
    write(allowed / "sub" / "pm.md", "first folder's document")
    write(second / "only-here.md", "second folder's document")
    policy = ReadPolicy(allowed_dirs=(allowed, second), max_bytes=MAX_BYTES)

    resolved, text = read_document("sub/pm.md", policy)

    assert resolved == (allowed / "sub" / "pm.md").resolve()
    assert text == "first folder's document"
    with pytest.raises(PathNotAllowed, match=r"does not exist \(relative paths start at .*allowed\)"):
        read_document("only-here.md", policy)


def test_a_file_in_a_later_allowed_folder_is_read_by_its_absolute_path(tmp_path: Path, allowed: Path) -> None:
    second = tmp_path / "second"
    path = write(second / "pm.md", DOC)
    policy = ReadPolicy(allowed_dirs=(allowed, second), max_bytes=MAX_BYTES)

    assert read_document(str(path), policy) == (path.resolve(), DOC)


def test_dot_dot_cannot_climb_out_of_the_allowed_folder(outside: Path, policy: ReadPolicy) -> None:
    with pytest.raises(PathNotAllowed, match="outside the allowed directories") as caught:
        read_document("../outside/other.md", policy)

    assert "../outside/other.md" in str(caught.value)


def test_an_absolute_path_outside_the_allowed_folders_is_refused(outside: Path, policy: ReadPolicy) -> None:
    with pytest.raises(PathNotAllowed, match="outside the allowed directories"):
        read_document(str(outside / "other.md"), policy)


def test_a_missing_file_outside_is_refused_like_an_existing_one(outside: Path, policy: ReadPolicy) -> None:
    # The answer must not tell the model whether a file outside the allowed folders exists.
    with pytest.raises(PathNotAllowed, match="outside the allowed directories"):
        read_document(str(outside / "no-such-file.md"), policy)


def test_a_missing_file_inside_is_reported_as_missing(policy: ReadPolicy) -> None:
    with pytest.raises(PathNotAllowed, match=r"'absent\.md' does not exist"):
        read_document("absent.md", policy)


def test_a_symlink_inside_pointing_outside_is_refused(allowed: Path, outside: Path, policy: ReadPolicy) -> None:
    link = allowed / "innocent.md"
    link.symlink_to(outside / "other.md")

    with pytest.raises(PathNotAllowed, match="outside the allowed directories"):
        read_document(str(link), policy)


def test_a_symlinked_folder_inside_pointing_outside_is_refused(
    allowed: Path, outside: Path, policy: ReadPolicy
) -> None:
    (allowed / "docs").symlink_to(outside, target_is_directory=True)

    with pytest.raises(PathNotAllowed, match="outside the allowed directories"):
        read_document("docs/other.md", policy)


def test_a_symlink_pointing_inside_the_allowed_folder_is_read(allowed: Path, policy: ReadPolicy) -> None:
    target = write(allowed / "archive" / "2026-03-04-outage.md", DOC)
    (allowed / "latest.md").symlink_to(target)

    resolved, text = read_document("latest.md", policy)

    assert resolved == target.resolve()
    assert text == DOC


@pytest.mark.parametrize("name", [".notes.md", ".drafts/outage.md", "team/.git/outage.md"])
def test_dot_files_and_files_in_dot_folders_are_never_read(allowed: Path, policy: ReadPolicy, name: str) -> None:
    write(allowed / name, DOC)

    with pytest.raises(PathNotAllowed, match="dot-files and dot-folders"):
        read_document(name, policy)
    with pytest.raises(PathNotAllowed, match="dot-f"):
        read_document(str(allowed / name), policy)


def test_a_symlink_leading_into_a_dot_folder_is_refused(allowed: Path, policy: ReadPolicy) -> None:
    target = write(allowed / ".private" / "outage.md", DOC)
    (allowed / "visible.md").symlink_to(target)

    with pytest.raises(PathNotAllowed, match="dot-files and dot-folders are never read"):
        read_document("visible.md", policy)


@pytest.mark.parametrize("name", ["outage.py", "server.pem", "README", "outage.md.exe"])
def test_files_without_a_document_extension_are_refused(allowed: Path, policy: ReadPolicy, name: str) -> None:
    write(allowed / name, DOC)

    with pytest.raises(PathNotAllowed, match=r"only document files are read \(.*\.md") as caught:
        read_document(name, policy)

    assert repr(name) in str(caught.value)


@pytest.mark.parametrize("name", ["prod-credentials.md", "id_rsa.txt", "API_KEY.txt", "db-passwords.md"])
def test_names_that_suggest_secrets_are_refused(allowed: Path, policy: ReadPolicy, name: str) -> None:
    write(allowed / name, DOC)

    with pytest.raises(PathNotAllowed, match="the name suggests secrets or keys"):
        read_document(name, policy)


def test_a_fifo_is_refused_without_blocking(allowed: Path, policy: ReadPolicy) -> None:
    fifo = allowed / "pipe.md"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            read_document("pipe.md", policy)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    reader = threading.Thread(target=attempt, daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # unblock the stuck open() so the thread can end, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    assert len(outcome) == 1
    assert isinstance(outcome[0], PathNotAllowed)
    assert "is not a regular file" in str(outcome[0])


def test_a_folder_with_a_document_name_is_refused(allowed: Path, policy: ReadPolicy) -> None:
    (allowed / "x.md").mkdir()

    with pytest.raises(PathNotAllowed, match=r"'x\.md' is not a regular file"):
        read_document("x.md", policy)


def test_a_path_with_a_nul_byte_is_refused_not_crashed(policy: ReadPolicy) -> None:
    with pytest.raises(PathNotAllowed, match="does not exist"):
        read_document("out\x00age.md", policy)


def test_resolve_allowed_returns_the_real_path_of_an_allowed_document(allowed: Path, policy: ReadPolicy) -> None:
    path = write(allowed / "a" / "b.markdown", DOC)

    assert resolve_allowed(" a/../a/b.markdown ", policy) == path.resolve()


def test_path_errors_are_invalid_input_for_the_model() -> None:
    assert issubclass(PathNotAllowed, InvalidInput)
    assert issubclass(NotText, InvalidInput)
    assert issubclass(DocumentTooLarge, InvalidInput)


# -- size ------------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(allowed: Path, policy: ReadPolicy) -> None:
    write(allowed / "big.md", "x" * (MAX_BYTES + 1))

    with pytest.raises(DocumentTooLarge, match=f"'big.md' is {MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,}"):
        read_document("big.md", policy)


def test_a_file_exactly_at_the_size_limit_is_read(allowed: Path, policy: ReadPolicy) -> None:
    write(allowed / "full.md", "x" * MAX_BYTES)

    assert read_document("full.md", policy)[1] == "x" * MAX_BYTES


def test_pasted_text_over_the_limit_is_refused() -> None:
    with pytest.raises(DocumentTooLarge, match="the document is 11 bytes; the limit is 10"):
        check_text("x" * 11, max_bytes=10)


def test_the_pasted_limit_counts_utf8_bytes_not_characters() -> None:
    with pytest.raises(DocumentTooLarge, match="12 bytes"):
        check_text("é" * 6, max_bytes=10)
    assert check_text("é" * 5, max_bytes=10) == "é" * 5


# -- what counts as text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param(b"postmortem\x00\x00\x00body" * 10, "binary data", id="nul-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "not UTF-8 or UTF-16", id="png-header"),
        pytest.param(b"Caf\xe9 outage on Monday", r"not UTF-8 or UTF-16 text \(byte 3 is invalid\)", id="latin-1"),
        pytest.param(b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 3 + b"text", "binary data", id="control-chars"),
    ],
)
def test_binary_or_undecodable_files_are_not_text(allowed: Path, policy: ReadPolicy, data: bytes, problem: str) -> None:
    write(allowed / "blob.md", data)

    with pytest.raises(NotText, match=problem):
        read_document("blob.md", policy)


def test_a_utf8_byte_order_mark_is_stripped(allowed: Path, policy: ReadPolicy) -> None:
    write(allowed / "bom.md", codecs.BOM_UTF8 + DOC.encode("utf-8"))

    assert read_document("bom.md", policy)[1] == DOC


def test_a_pasted_byte_order_mark_is_stripped() -> None:
    assert check_text("\ufeff" + DOC, MAX_BYTES) == DOC


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_decoded(allowed: Path, policy: ReadPolicy, encoding: str) -> None:
    text = "# Ausfall – Größe\n\nNächste Schritte: Warnung für die Warteschlange.\n"
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[encoding]
    write(allowed / "utf16.md", bom + text.encode(encoding))

    assert read_document("utf16.md", policy)[1] == text


def test_decode_names_the_first_invalid_byte() -> None:
    with pytest.raises(NotText, match=r"byte 5 is invalid"):
        decode(b"hello\xff world")


@pytest.mark.parametrize(
    "block",
    [
        KEY_BLOCK,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----\n",
    ],
)
def test_a_document_with_private_key_material_is_not_stored(allowed: Path, policy: ReadPolicy, block: str) -> None:
    write(allowed / "runbook.md", DOC + "\nThe deploy key was:\n\n" + block)

    with pytest.raises(NotText, match="private key material"):
        read_document("runbook.md", policy)
    with pytest.raises(NotText, match="private key material"):
        check_text(DOC + block, MAX_BYTES)


def test_a_public_key_is_not_key_material() -> None:
    text = DOC + "-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----\n"

    assert check_text(text, MAX_BYTES) == text


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8])
def test_an_empty_or_blank_file_is_not_text(allowed: Path, policy: ReadPolicy, data: bytes) -> None:
    write(allowed / "empty.md", data)

    with pytest.raises(NotText, match="the document is empty"):
        read_document("empty.md", policy)


@pytest.mark.parametrize("text", ["", " ", "\n\n\t", "\ufeff  "])
def test_empty_or_blank_pasted_text_is_not_text(text: str) -> None:
    with pytest.raises(NotText, match="the document is empty"):
        check_text(text, MAX_BYTES)


def test_pasted_text_with_a_nul_is_binary() -> None:
    with pytest.raises(NotText, match="binary data"):
        check_text("an outage\x00 report", MAX_BYTES)


def test_pasted_text_with_an_unpaired_surrogate_is_not_text() -> None:
    with pytest.raises(NotText, match="unpaired surrogates"):
        check_text("an outage \ud800 report", MAX_BYTES)


def test_a_few_stray_control_characters_are_tolerated() -> None:
    text = "Page one\x0cPage two\x1b of a long outage report that was printed from a terminal."

    assert check_text(text, MAX_BYTES) == text


def test_crlf_text_is_accepted_unchanged(allowed: Path, policy: ReadPolicy) -> None:
    crlf = DOC.replace("\n", "\r\n")
    write(allowed / "windows.md", crlf)

    assert read_document("windows.md", policy)[1] == crlf
    assert check_text(crlf, MAX_BYTES) == crlf


@pytest.mark.parametrize("name", ["a.MD", "b.txt", "c.rst", "d.html", "e.adoc", "f.org"])
def test_every_document_extension_is_read_whatever_its_case(allowed: Path, policy: ReadPolicy, name: str) -> None:
    write(allowed / name, DOC)

    assert read_document(name, policy)[1] == DOC


def test_an_allowed_folder_may_itself_live_under_a_dot_folder(tmp_path: Path) -> None:
    folder = tmp_path / ".workspace" / "postmortems"
    folder.mkdir(parents=True)
    (folder / "pm.md").write_text("# Outage\n\nThe queue backed up.\n")
    policy = ReadPolicy(allowed_dirs=(folder,))
    for named in ("pm.md", str(folder / "pm.md")):
        assert read_document(named, policy)[0] == folder / "pm.md"


@pytest.mark.parametrize("name", ["token-expiry-outage.md", "private-beta-outage.md", "passwordless-login.md"])
def test_postmortems_about_tokens_or_betas_are_not_mistaken_for_secrets(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("# Outage\n\nThe queue backed up.\n")
    assert read_document(name, ReadPolicy(allowed_dirs=(tmp_path,)))[0].name == name


@pytest.mark.parametrize("name", ["secrets.md", "prod-credentials.txt", "id_ed25519.txt", "api_keys.md", "db.env.md"])
def test_names_of_secret_stores_are_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("# Outage\n")
    with pytest.raises(PathNotAllowed, match="suggests secrets"):
        read_document(name, ReadPolicy(allowed_dirs=(tmp_path,)))


def test_with_no_allowed_folder_reading_files_is_off(tmp_path: Path) -> None:
    (tmp_path / "pm.md").write_text("# Outage\n")
    with pytest.raises(PathNotAllowed, match="reading files is off"):
        read_document(str(tmp_path / "pm.md"), ReadPolicy(allowed_dirs=()))
