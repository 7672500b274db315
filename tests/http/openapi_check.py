"""Checks HTTP responses against api/openapi.yaml.

Every response the test client receives goes through `OpenApiChecker.check()`:

- the path and method must be documented (a method that a documented path does not
  list must be answered 405 with `Allow`, as `components/responses/MethodNotAllowed`
  says; a path that is not documented must be answered with a problem document,
  404 or 400 for a malformed query string);
- the status must be documented for that path and method;
- the media type must be one the response documents, and a response documented
  without content (204, 304) must have an empty body;
- JSON bodies (application/json, application/problem+json, application/geo+json) are
  validated against the documented schema with JSON Schema 2020-12 (OpenAPI 3.1), `$ref`
  resolved within the whole document, formats date, date-time, uuid and email checked;
  NDJSON bodies are validated line by line against the item schema of the JSON list;
- every response carries X-Request-Id; documented headers present are validated
  against their schema; ETag is required where documented on 200, 201 and 304,
  WWW-Authenticate on 401, Allow on 405, Retry-After on 429 and 503; the rate-limit,
  Retry-After and CORS headers must be documented on every response that carries them;
- problem documents are checked beyond their schema: `type` is
  `urn:grappe:problem:<code>`, `status` equals the HTTP status, `request_id`
  equals the X-Request-Id header, and no PostgreSQL message or SQL text shows.
"""

import copy
import json
import re
import threading
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator, FormatChecker, RefResolver

SPEC_PATH = Path(__file__).resolve().parents[2] / "api" / "openapi.yaml"
JSON_TYPES = ("application/json", "application/problem+json", "application/geo+json")
# PostgreSQL and SQL text that must never reach a caller (SPEC: errors never show internals).
_INTERNALS = ("ERROR:  ", "CONTEXT:  ", "DETAIL:  ", "HINT:  ", "LINE 1:", "SQLSTATE", "unnamed portal",
              "SELECT ", "INSERT INTO", "UPDATE clusters", "json_build_object")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Headers the server sends on some answers only: a response that carries one must document
# it (the document says where each is sent).
DECLARED_ONLY = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After",
                 "Access-Control-Allow-Origin", "Access-Control-Expose-Headers")


class ContractError(AssertionError):
    """A response that does not match the OpenAPI document."""


# ---- formats ------------------------------------------------------------------------

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL_RE = re.compile(r"^[^@\s\"<>,;]+@[^@\s\"<>,;]+\.[^@\s\"<>,;.]+$")


def _is_date(s):
    if not isinstance(s, str):
        return True
    if not _DATE_RE.match(s):
        return False
    date.fromisoformat(s)  # raises ValueError on 2026-02-30
    return True


def _is_datetime(s):
    if not isinstance(s, str):
        return True
    m = _DATETIME_RE.match(s)
    if not m:
        return False
    date.fromisoformat(m.group(1))
    hh, mm, ss = int(m.group(2)), int(m.group(3)), int(m.group(4))
    return hh <= 23 and mm <= 59 and ss <= 60


def _is_uuid(s):
    if not isinstance(s, str):
        return True
    if not _UUID_RE.match(s):
        return False
    uuid.UUID(s)
    return True


def _is_email(s):
    return not isinstance(s, str) or bool(_EMAIL_RE.match(s))


def make_format_checker():
    fc = FormatChecker(formats=())
    fc.checks("date", raises=ValueError)(_is_date)
    fc.checks("date-time", raises=ValueError)(_is_datetime)
    fc.checks("uuid", raises=ValueError)(_is_uuid)
    fc.checks("email")(_is_email)
    return fc


# ---- loading -------------------------------------------------------------------------

def _strip_multiple_of(node):
    # jsonschema 4.10 tests multipleOf on floats by division and rejects valid values
    # (0.29 / 0.01 == 28.999999999999996), so multipleOf is removed from the document we
    # validate with. The two-decimals rule of staff_fte is asserted by the tests instead.
    if isinstance(node, dict):
        node.pop("multipleOf", None)
        for v in node.values():
            _strip_multiple_of(v)
    elif isinstance(node, list):
        for v in node:
            _strip_multiple_of(v)


def resolve_ref(doc, node):
    """Follows $ref (JSON pointers within doc) until node is no reference."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def load_spec(path=SPEC_PATH):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    doc = copy.deepcopy(doc)
    _strip_multiple_of(doc)
    return doc


def _media_type(content_type):
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower()


def _template_regex(template):
    parts = re.split(r"(\{[^}]+\})", template)
    rx = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile("^" + rx + "$")


class OpenApiChecker:
    def __init__(self, path=SPEC_PATH):
        self.doc = load_spec(path)
        self._local = threading.local()  # RefResolver keeps a scope stack: one per thread
        self.format_checker = make_format_checker()
        # Literal paths first, so that a template never shadows them.
        paths = list(self.doc["paths"].keys())
        paths.sort(key=lambda p: ("{" in p, p))
        self.paths = [(p, _template_regex(p)) for p in paths]

    # -- helpers --
    @property
    def resolver(self):
        r = getattr(self._local, "resolver", None)
        if r is None:
            r = self._local.resolver = RefResolver(base_uri="", referrer=self.doc)
        return r

    def resolve(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            _, node = self.resolver.resolve(node["$ref"])
            seen += 1
            if seen > 20:
                raise ContractError("$ref loop in the OpenAPI document")
        return node

    def validate(self, instance, schema, what):
        validator = Draft202012Validator(schema, resolver=self.resolver, format_checker=self.format_checker)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if getattr(self._local, "partial", False):
            # fields= asked for some fields of each item: the ones left out are not missing
            # (an item's own schema still holds for what it has)
            errors = [e for e in errors if not (e.validator == "required"
                                                and (len(e.absolute_path) >= 1 or "NDJSON line" in what))]
        if errors:
            lines = []
            for e in errors[:8]:
                where = "/".join(str(p) for p in e.absolute_path) or "(root)"
                lines.append(f"  at {where}: {e.message[:300]}")
            raise ContractError(f"{what} does not match its schema:\n" + "\n".join(lines))

    def schema_of(self, name):
        return {"$ref": f"#/components/schemas/{name}"}

    def match_path(self, raw_path):
        for template, rx in self.paths:
            if rx.match(raw_path):
                return template
        return None

    # -- the check --
    def check(self, method, target, status, headers, body):
        """method: HTTP method sent; target: path and query as sent; headers: a
        case-insensitive mapping; body: bytes."""
        method = method.upper()
        path = urlsplit(target).path if not target.startswith("/") else target.split("?", 1)[0]
        where = f"{method} {target} -> {status}"
        body = body or b""

        query = urlsplit(target).query if "?" in target else ""
        self._local.partial = method in ("GET", "HEAD") and any(
            kv.split("=", 1)[0] == "fields" for kv in query.split("&") if kv)
        rid = headers.get("X-Request-Id")
        if not rid:
            raise ContractError(f"{where}: no X-Request-Id header")

        template = self.match_path(path)
        if template is None:
            # Undocumented path: a problem document, 404 (or 400 when the query string is
            # malformed, which is checked before routing).
            if status not in (400, 404):
                raise ContractError(f"{where}: an undocumented path must be answered 404, not {status}")
            self._check_problem_generic(where, status, headers, body, method)
            return

        item = self.doc["paths"][template]
        op_name = "get" if method == "HEAD" else method.lower()
        if method == "OPTIONS" and "options" not in item:
            # CORS preflight and OPTIONS are answered by the router for every path and are
            # not operations of the API: 204 with an empty body (or 400 for a malformed
            # query string).
            if status == 204:
                if body:
                    raise ContractError(f"{where}: 204 with a body")
                if not headers.get("Allow"):
                    raise ContractError(f"{where}: OPTIONS answer without Allow")
                return
            if status == 400:
                self._check_problem_generic(where, status, headers, body, method)
                return
            raise ContractError(f"{where}: OPTIONS must answer 204, not {status}")
        op = item.get(op_name)
        if op is None:
            if status == 400:  # malformed query strings are refused before routing
                self._check_problem_generic(where, status, headers, body, method)
                return
            if status != 405:
                raise ContractError(f"{where}: {method} is not documented on {template}; expected 405")
            response = self.resolve({"$ref": "#/components/responses/MethodNotAllowed"})
            self._check_response(where, method, status, headers, body, response, None)
            allow = headers.get("Allow", "")
            documented = sorted(m.upper() for m in item if m in METHODS)
            for m in documented:
                if m not in [a.strip() for a in allow.split(",")]:
                    raise ContractError(f"{where}: Allow '{allow}' does not list documented method {m}")
            return

        responses = op.get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if response is None:
            raise ContractError(f"{where}: status {status} is not documented for {method} {template} "
                                f"(documented: {', '.join(sorted(responses))})")
        response = self.resolve(response)
        self._check_response(where, method, status, headers, body, response, responses)

    def _check_response(self, where, method, status, headers, body, response, responses):
        # Headers
        documented = response.get("headers") or {}
        for name in DECLARED_ONLY:
            if headers.get(name) is not None and name not in documented:
                raise ContractError(f"{where}: header {name} is sent but not documented on this response")
        for name, hdr in documented.items():
            hdr = self.resolve(hdr)
            value = headers.get(name)
            required = hdr.get("required", False)
            if name == "ETag" and status in (200, 201, 304):
                # every answer with a body has one, but a streamed NDJSON list (its headers
                # leave before its rows are read)
                required = _media_type(headers.get("Content-Type")) != "application/x-ndjson"
            if name in ("WWW-Authenticate", "Allow", "X-Request-Id") or (name == "Retry-After" and status in (429, 503)):
                required = True
            if value is None:
                if required:
                    raise ContractError(f"{where}: missing header {name}")
                continue
            schema = hdr.get("schema")
            if schema:
                inst = value
                if self.resolve(schema).get("type") == "integer":
                    try:
                        inst = int(value)
                    except ValueError:
                        raise ContractError(f"{where}: header {name}: '{value}' is not an integer")
                self.validate(inst, schema, f"{where}: header {name}")

        content = response.get("content")
        if method == "HEAD":
            if body:
                raise ContractError(f"{where}: HEAD answer with a body")
            return
        if not content:
            if body:
                raise ContractError(f"{where}: the response is documented without content but has a body "
                                    f"({body[:100]!r})")
            return
        mt = _media_type(headers.get("Content-Type"))
        if mt not in content:
            raise ContractError(f"{where}: Content-Type {headers.get('Content-Type')!r} is not documented "
                                f"(documented: {', '.join(content)})")
        media = content[mt]
        schema = media.get("schema")
        if mt in JSON_TYPES:
            try:
                doc = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise ContractError(f"{where}: the {mt} body is not JSON: {e}; body starts {body[:200]!r}")
            if schema is not None:
                self.validate(doc, schema, f"{where}: {mt} body")
            if mt == "application/problem+json":
                self._problem_semantics(where, status, headers, doc)
        elif mt == "application/x-ndjson":
            item_schema = self._list_item_schema(content)
            text = body.decode("utf-8")
            if text and not text.endswith("\n"):
                raise ContractError(f"{where}: NDJSON does not end with a newline")
            for i, line in enumerate(text.split("\n")[:-1]):
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    raise ContractError(f"{where}: NDJSON line {i + 1} is not JSON: {e}")
                if not isinstance(obj, dict):
                    raise ContractError(f"{where}: NDJSON line {i + 1} is not an object")
                if item_schema is not None:
                    self.validate(obj, item_schema, f"{where}: NDJSON line {i + 1}")
        elif mt.startswith("text/"):
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ContractError(f"{where}: {mt} body is not UTF-8: {e}")

    def _list_item_schema(self, content):
        js = content.get("application/json", {}).get("schema")
        if js is None:
            return None
        js = self.resolve(js)
        items = (js.get("properties") or {}).get("items")
        if items is None:
            return None
        items = self.resolve(items)
        return items.get("items")

    def _problem_semantics(self, where, status, headers, doc):
        if not isinstance(doc, dict):
            raise ContractError(f"{where}: the problem document is not an object")
        code = doc.get("code")
        if doc.get("type") != f"urn:grappe:problem:{code}":
            raise ContractError(f"{where}: problem type {doc.get('type')!r} does not repeat code {code!r}")
        if doc.get("status") != status:
            raise ContractError(f"{where}: problem status {doc.get('status')!r} is not the HTTP status")
        text = json.dumps(doc, ensure_ascii=False)
        for leak in _INTERNALS:
            if leak in text:
                raise ContractError(f"{where}: the problem shows internals ({leak!r}): {text[:300]}")
        if doc.get("request_id") != headers.get("X-Request-Id"):
            raise ContractError(f"{where}: problem request_id {doc.get('request_id')!r} differs from "
                                f"X-Request-Id {headers.get('X-Request-Id')!r}")

    def _check_problem_generic(self, where, status, headers, body, method):
        if method == "HEAD":
            if body:
                raise ContractError(f"{where}: HEAD answer with a body")
            return
        mt = _media_type(headers.get("Content-Type"))
        if mt != "application/problem+json":
            raise ContractError(f"{where}: expected application/problem+json, got {headers.get('Content-Type')!r}")
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ContractError(f"{where}: the problem body is not JSON: {e}")
        self.validate(doc, self.schema_of("Problem"), f"{where}: problem body")
        self._problem_semantics(where, status, headers, doc)
