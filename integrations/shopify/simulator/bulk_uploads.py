"""Staged uploads for bulk mutations: ``stagedUploadsCreate(resource: BULK_MUTATION_VARIABLES)``
answers an upload target on the simulator itself (``{url}/_staged_uploads/{shop}``) with signed
form parameters, and the upload is a multipart POST of those parameters with the file part last,
as Shopify's storage expects. The target's ``key`` parameter is the ``stagedUploadPath`` that
``bulkOperationRunMutation`` takes.
https://shopify.dev/docs/api/usage/bulk-operations/imports
https://shopify.dev/docs/api/admin-graphql/latest/mutations/stagedUploadsCreate
"""

import base64
import hashlib
import hmac
import json
import re
import uuid
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from integrations.shopify.simulator.bulk_models import MAX_FILE_BYTES, StagedUpload
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.wire import Request, Response

UPLOAD_PATH = "/_staged_uploads/"
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')
_DISPOSITION = re.compile(r'name="([^"]*)"(?:;\s*filename="([^"]*)")?')


def _sign(state: SimulatorState, text: str) -> str:
    return hmac.new(state.config.api_secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def staged_uploads_create(info: GraphQLResolveInfo, input: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: A002
    ctx = info.context
    targets, errors = [], []
    for position, item in enumerate(input):
        if item["resource"] != "BULK_MUTATION_VARIABLES":
            raise _not_simulated(f"stagedUploadsCreate resource {item['resource']}")
        if item.get("httpMethod", "PUT") != "POST":
            errors.append({"field": ["input", str(position), "httpMethod"], "message": "not simulated: PUT uploads"})
            continue
        key = f"tmp/{ctx.shop.id}/bulk/{uuid.uuid4()}/{item['filename']}"
        policy = base64.b64encode(json.dumps({"key": key, "max": MAX_FILE_BYTES}).encode()).decode()
        signature = _sign(ctx.state, policy)
        with ctx.state.lock:
            upload = StagedUpload(key=key, shop=ctx.shop.domain, policy=policy, signature=signature)
            ctx.state.bulk.uploads[key] = upload
        ctx.state.count("staged_uploads_created")
        parameters = [
            ("Content-Type", item["mimeType"]),
            ("success_action_status", "201"),
            ("acl", "private"),
            ("key", key),
            ("policy", policy),
            ("x-goog-signature", signature),
        ]
        targets.append(
            {
                "__typename": "StagedMediaUploadTarget",
                "url": f"{ctx.state.base_url}{UPLOAD_PATH}{ctx.shop.domain}",
                "resourceUrl": None,
                "parameters": [{"name": n, "value": v} for n, v in parameters],
            }
        )
    return {"__typename": "StagedUploadsCreatePayload", "stagedTargets": targets, "userErrors": errors}


def _not_simulated(what: str) -> GraphQLError:
    return GraphQLError(f"not simulated: {what}", extensions={"code": "NOT_SIMULATED"})


def parse_multipart(request: Request) -> list[tuple[str, str | None, bytes]]:
    """(name, filename, value) of each part, in order. ValueError when it is not multipart."""
    match = _BOUNDARY.search(request.headers.get("content-type", ""))
    if not match or "multipart/form-data" not in request.headers.get("content-type", ""):
        raise ValueError("expected multipart/form-data")
    delimiter = b"--" + match.group(1).encode()
    parts = []
    for chunk in request.body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, value = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = head.decode("utf-8", "replace").split("\r\n")
        disposition = next((line for line in headers if line.lower().startswith("content-disposition")), "")
        found = _DISPOSITION.search(disposition)
        if not found:
            raise ValueError("a part without a name")
        parts.append((found.group(1), found.group(2), value.removesuffix(b"\r\n")))
    return parts


def _storage_error(code: str, message: str, status: int) -> Response:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(status, body.encode(), {"Content-Type": "application/xml; charset=UTF-8"})


def receive_upload(state: SimulatorState, domain: str, request: Request) -> Response:
    """The storage side of the upload: the signed form fields, then the file (the last part)."""
    state.count("staged_uploads_posted")
    try:
        parts = parse_multipart(request)
    except ValueError as exc:
        return _storage_error("InvalidArgument", str(exc), 400)
    if not parts or parts[-1][1] is None or parts[-1][0] != "file":
        return _storage_error("InvalidArgument", "The file must be the last part of the form.", 400)
    fields = {name: value.decode() for name, filename, value in parts[:-1]}
    data = parts[-1][2]
    with state.lock:
        upload = state.bulk.uploads.get(fields.get("key", ""))
        if upload is None or upload.shop != domain:
            return _storage_error("NoSuchKey", "No upload target for this key.", 404)
        if fields.get("policy") != upload.policy or fields.get("x-goog-signature") != upload.signature:
            return _storage_error("AccessDenied", "Invalid policy or signature.", 403)
        if len(data) > MAX_FILE_BYTES:
            return _storage_error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", 400)
        upload.data = data
        upload.uploads += 1
    body = (
        "<?xml version='1.0' encoding='UTF-8'?><PostResponse>"
        f"<Bucket>shopify-staged-uploads</Bucket><Key>{upload.key}</Key>"
        f'<ETag>"{hashlib.md5(data).hexdigest()}"</ETag></PostResponse>'  # noqa: S324 - an ETag, as storage gives
    )
    return Response(int(fields.get("success_action_status") or 204), body.encode(), {"Content-Type": "application/xml"})
