"""The API as the SDK generators see it, read from an OpenAPI 3.1 document.

``read_api(document)`` turns the document of ``rpc.openapi`` into plain, language-neutral
descriptions: models (component schemas), errors (the schemas of non-2xx answers, one per
``code``), auth schemes and procedures grouped into namespaces by their dotted names. It works
from the document alone, so procedures added later need no change here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Api",
    "ArrayType",
    "ErrorDef",
    "Field",
    "LiteralType",
    "MapType",
    "Model",
    "Namespace",
    "Primitive",
    "PrimitiveType",
    "ProcedureDef",
    "RefType",
    "SchemeDef",
    "SdkGenError",
    "TaggedUnionType",
    "Type",
    "UnionType",
    "camel",
    "parse_type",
    "pascal",
    "read_api",
    "sentence",
    "snake",
]

_REF_PREFIX = "#/components/schemas/"

Primitive = Literal[
    "str", "int", "float", "bool", "none", "any", "uuid", "datetime", "date", "bytes"
]
JsonScalar = str | int | float | bool | None


class SdkGenError(Exception):
    """The document cannot be turned into an SDK (an unsupported shape or a name clash)."""


@dataclass(frozen=True, slots=True)
class PrimitiveType:
    name: Primitive


@dataclass(frozen=True, slots=True)
class LiteralType:
    """Fixed values. ``name``: a schema with a ``title`` (``Annotated[Literal[...],
    msgspec.Meta(title=...)]``) is a named type of the SDKs, declared once and used by name."""

    values: tuple[JsonScalar, ...]
    name: str = ""
    description: str = field(default="", compare=False)

    @property
    def anonymous(self) -> LiteralType:
        """The same values, without the name (what a named type is declared as)."""
        return LiteralType(self.values)


@dataclass(frozen=True, slots=True)
class RefType:
    name: str


@dataclass(frozen=True, slots=True)
class ArrayType:
    item: Type


@dataclass(frozen=True, slots=True)
class MapType:
    """A JSON object used as a dictionary: string keys, values of one type."""

    value: Type


@dataclass(frozen=True, slots=True)
class UnionType:
    """Two or more options; ``none`` (JSON null), when present, is the last."""

    options: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class TaggedUnionType:
    """A union of models told apart by one field (OpenAPI ``oneOf`` with a ``discriminator``),
    named by the schema's ``title``: ``members`` maps each value of ``tag`` to its model. A
    newer server may send a value not listed: the SDKs decode it as the unknown member
    (Python) or skip it where they read the feed (TypeScript)."""

    name: str
    tag: str
    members: tuple[tuple[str, str], ...]
    description: str = field(default="", compare=False)


Type = PrimitiveType | LiteralType | RefType | ArrayType | MapType | UnionType | TaggedUnionType

ANY = PrimitiveType("any")
NONE = PrimitiveType("none")


@dataclass(frozen=True, slots=True)
class Field:
    wire: str
    type: Type
    required: bool
    has_default: bool
    default: Any
    description: str

    @property
    def optional(self) -> bool:
        return not self.required


@dataclass(frozen=True, slots=True)
class Model:
    """An object schema of ``components.schemas`` (not an error body). ``is_output``: the
    client decodes it (it is in an answer), so its enums must take values a newer server adds.
    ``union``: the TaggedUnionType it is a member of, if any (its ``tag`` field is fixed)."""

    name: str
    description: str
    fields: tuple[Field, ...]
    is_input: bool
    is_output: bool = False
    union: TaggedUnionType | None = None

    def is_tag(self, f: Field) -> bool:
        """Whether ``f`` is the field that names this member of its union."""
        return self.union is not None and f.wire == self.union.tag


@dataclass(frozen=True, slots=True)
class ErrorDef:
    """An error body schema: its fixed ``code``, HTTP status and the type of ``data``."""

    name: str
    code: str
    status: int
    description: str
    data: Type


@dataclass(frozen=True, slots=True)
class SchemeDef:
    """A security scheme a client can send: ``credential`` names the client setting."""

    name: str
    credential: str
    header: str
    prefix: str
    description: str


@dataclass(frozen=True, slots=True)
class ProcedureDef:
    name: str
    path: str
    summary: str
    description: str
    input: Model
    output: Type
    errors: tuple[ErrorDef, ...]
    security: tuple[tuple[str, ...], ...]
    tier: str
    # A write that takes an Idempotency-Key (the header parameter): the SDKs send one.
    idempotent: bool = False
    # A read (``x-scope: read``): the SDKs may send it again after a network error or a 5xx.
    safe: bool = False


@dataclass(slots=True)
class Namespace:
    """Procedures sharing a dotted prefix: ``teams.create`` is ``create`` in ``teams``."""

    path: tuple[str, ...]
    procedures: list[ProcedureDef] = field(default_factory=list)
    children: dict[str, Namespace] = field(default_factory=dict)

    def walk(self) -> Iterable[Namespace]:
        """This namespace and every one below it, parents first, children by name."""
        yield self
        for name in sorted(self.children):
            yield from self.children[name].walk()


@dataclass(frozen=True, slots=True)
class Api:
    title: str
    version: str
    description: str
    models: tuple[Model, ...]
    errors: tuple[ErrorDef, ...]
    schemes: tuple[SchemeDef, ...]
    procedures: tuple[ProcedureDef, ...]
    root: Namespace
    literals: tuple[LiteralType, ...] = ()  # the named ones, by name
    unions: tuple[TaggedUnionType, ...] = ()  # by name

    def common_fields(self, union: TaggedUnionType) -> tuple[Field, ...]:
        """The fields every member of ``union`` has alike, its tag left out: what its unknown
        member (a value from a newer server) is read as."""
        members = {m.name: m for m in self.models}
        first, *rest = (members[name] for _, name in union.members)
        return tuple(
            f for f in first.fields if f.wire != union.tag and all(f in m.fields for m in rest)
        )

    @property
    def has_change_feed(self) -> bool:
        """The API has delta-sync (``sync.pull``) and so the live stream: the SDKs add their
        replica and stream helpers."""
        return any(p.name == "sync.pull" for p in self.procedures)

    @property
    def common_errors(self) -> tuple[ErrorDef, ...]:
        """The errors every procedure may answer with (bad input, too large, internal …)."""
        if not self.procedures:
            return ()
        first, *rest = self.procedures
        return tuple(e for e in first.errors if all(e in p.errors for p in rest))

    def own_errors(self, procedure: ProcedureDef) -> tuple[ErrorDef, ...]:
        """The errors of ``procedure`` besides the common ones."""
        return tuple(e for e in procedure.errors if e not in self.common_errors)

    def check_members(
        self, members: Callable[[Namespace], list[str]], client: Iterable[str]
    ) -> None:
        """Raise SdkGenError when a group (or the client, with its own ``client`` members) would
        have two members of one name: ``members`` names a group's methods and sub-groups."""
        for ns in self.root.walk():
            names = [*members(ns), *(client if not ns.path else ())]
            doubled = sorted({n for n in names if names.count(n) > 1})
            if doubled:
                where = ".".join(ns.path) or "the client"
                raise SdkGenError(f"{where}: members named twice: {', '.join(doubled)}")

    def credentials_text(
        self, security: Sequence[Sequence[str]], name: Callable[[str], str]
    ) -> str:
        """How a procedure authenticates, for its docs: ``a + b, or c`` (``name`` spells a
        credential). Alternatives a client cannot send itself (cookies) are left out."""
        schemes = {s.name: s.credential for s in self.schemes}
        options = [alt for alt in security if set(alt) <= set(schemes)]
        text = ", or ".join(" + ".join(name(schemes[s]) for s in alt) for alt in options)
        return text or ("none" if not security else "a session cookie")


def snake(name: str) -> str:
    """``ipAllowlist`` → ``ip_allowlist``, ``HTTPServer`` → ``http_server``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"\W+", "_", spaced).strip("_").lower() or "_"


def camel(name: str) -> str:
    """``ip_allowlist`` → ``ipAllowlist`` (the way msgspec's ``rename="camel"`` does it)."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def pascal(name: str) -> str:
    """``apiKeys`` → ``ApiKeys``; other characters than letters and digits separate words."""
    words = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def sentence(text: str) -> str:
    """``text`` with a capital first letter and one final full stop ("" stays "")."""
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def _ref_name(ref: str) -> str:
    if not ref.startswith(_REF_PREFIX):
        raise SdkGenError(f"unsupported $ref {ref!r}: only {_REF_PREFIX}<name>")
    return ref[len(_REF_PREFIX) :]


def _union(options: Iterable[Type]) -> Type:
    flat: list[Type] = []
    for option in options:
        for member in option.options if isinstance(option, UnionType) else (option,):
            if member not in flat:
                flat.append(member)
    if ANY in flat:
        return ANY
    ordered = [t for t in flat if t != NONE] + [t for t in flat if t == NONE]
    return ordered[0] if len(ordered) == 1 else UnionType(tuple(ordered))


_STRING_FORMATS: dict[str, Primitive] = {"uuid": "uuid", "date-time": "datetime", "date": "date"}
_SIMPLE: dict[str, Primitive] = {
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "none",
}


def _tagged(schema: Mapping[str, Any]) -> TaggedUnionType:
    name = schema.get("title")
    if not isinstance(name, str) or not name:
        raise SdkGenError("a discriminated union (oneOf + discriminator) needs a title")
    discriminator = schema["discriminator"]
    mapping = discriminator.get("mapping", {})
    members = tuple((str(value), _ref_name(ref)) for value, ref in mapping.items())
    listed = {_ref_name(option.get("$ref", "")) for option in schema["oneOf"]}
    if not members or {member for _, member in members} != listed:
        raise SdkGenError(f"{name}: the discriminator must map a value to each member")
    return TaggedUnionType(
        name, str(discriminator["propertyName"]), members, str(schema.get("description", ""))
    )


def parse_type(schema: Mapping[str, Any]) -> Type:
    """The type a JSON schema describes (the subset msgspec and rpc.openapi produce)."""
    if "discriminator" in schema and "oneOf" in schema:
        return _tagged(schema)
    if "$ref" in schema:
        return RefType(_ref_name(schema["$ref"]))
    if "const" in schema:
        return LiteralType((schema["const"],))
    if "enum" in schema:
        title, about = str(schema.get("title", "")), str(schema.get("description", ""))
        return LiteralType(tuple(schema["enum"]), title, about)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return _union(parse_type(option) for option in schema[key])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return parse_type(schema["allOf"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        return _union(parse_type({**schema, "type": one}) for one in kind)
    if kind == "string":
        if schema.get("contentEncoding") == "base64":
            return PrimitiveType("bytes")
        return PrimitiveType(_STRING_FORMATS.get(schema.get("format", ""), "str"))
    if kind in _SIMPLE:
        return PrimitiveType(_SIMPLE[kind])
    if kind == "array":
        return ArrayType(parse_type(schema.get("items", {})))
    if kind == "object":
        values = schema.get("additionalProperties")
        return MapType(parse_type(values) if isinstance(values, dict) else ANY)
    if kind is None:
        return ANY
    raise SdkGenError(f"unsupported schema type {kind!r}")


def _fields(name: str, schema: Mapping[str, Any]) -> tuple[Field, ...]:
    if schema.get("type") != "object":
        raise SdkGenError(f"schema {name!r} is not an object")
    required = set(schema.get("required", []))
    return tuple(
        Field(
            wire=wire,
            type=parse_type(prop),
            required=wire in required,
            has_default="default" in prop,
            default=prop.get("default"),
            description=str(prop.get("description", "")),
        )
        for wire, prop in schema.get("properties", {}).items()
    )


def _refs(schema: Any) -> Iterable[str]:
    """Every component name referenced anywhere inside ``schema``."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield _ref_name(value)
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def _within(kind: Type) -> Iterable[Type]:
    """``kind`` and every type inside it."""
    yield kind
    if isinstance(kind, ArrayType):
        yield from _within(kind.item)
    elif isinstance(kind, MapType):
        yield from _within(kind.value)
    elif isinstance(kind, UnionType):
        for option in kind.options:
            yield from _within(option)


def _named_unions(types: Iterable[Type]) -> tuple[TaggedUnionType, ...]:
    named: dict[str, TaggedUnionType] = {}
    unions = (u for kind in types for u in _within(kind) if isinstance(u, TaggedUnionType))
    for union in unions:
        if named.setdefault(union.name, union) != union:
            raise SdkGenError(f"two different unions are named {union.name!r}")
    return tuple(named[name] for name in sorted(named))


def _named_literals(types: Iterable[Type]) -> tuple[LiteralType, ...]:
    named: dict[str, LiteralType] = {}
    literals = (t for kind in types for t in _within(kind) if isinstance(t, LiteralType))
    for literal in (t for t in literals if t.name):
        if named.setdefault(literal.name, literal) != literal:
            raise SdkGenError(f"two different literal types are named {literal.name!r}")
    return tuple(named[name] for name in sorted(named))


def _reachable(roots: Iterable[str], schemas: Mapping[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(schemas[name]))
    return seen


def _error_def(name: str, schema: Mapping[str, Any], status: int) -> ErrorDef:
    props = schema.get("properties", {})
    code = props.get("code", {}).get("const")
    if not isinstance(code, str):
        raise SdkGenError(f"error schema {name!r} has no constant code")
    return ErrorDef(
        name=name,
        code=code,
        status=int(schema.get("x-status", status)),
        description=str(schema.get("description", "")),
        data=parse_type(props.get("data", {})),
    )


def _schemes(document: Mapping[str, Any]) -> tuple[SchemeDef, ...]:
    """The schemes a client sends itself: bearer tokens and header keys (cookies are left to the
    HTTP client's cookie jar). The credential is named after the scheme: ``apiKey`` → api key,
    a bearer scheme ``session`` → session token."""
    found: list[SchemeDef] = []
    raw = document.get("components", {}).get("securitySchemes", {})
    for name, scheme in raw.items():
        kind, where = scheme.get("type"), scheme.get("in")
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            credential = snake(name) if snake(name).endswith("token") else f"{snake(name)}_token"
            header, prefix = "Authorization", "Bearer "
        elif kind == "apiKey" and where == "header":
            credential, header, prefix = snake(name), str(scheme["name"]), ""
        else:
            continue
        found.append(
            SchemeDef(name, credential, header, prefix, str(scheme.get("description", "")))
        )
    return tuple(found)


def _success(responses: Mapping[str, Any]) -> Mapping[str, Any]:
    for status in sorted(responses):
        if status.startswith("2"):
            response: Mapping[str, Any] = responses[status]
            return response
    raise SdkGenError("an operation has no 2xx response")


def _json_schema(part: Mapping[str, Any]) -> Mapping[str, Any]:
    schema: Mapping[str, Any] = part.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        raise SdkGenError("a request or response has no application/json schema")
    return schema


def read_api(document: Mapping[str, Any]) -> Api:
    """The procedures, models, errors and auth schemes of ``document``, in a stable order."""
    schemas: Mapping[str, Any] = document.get("components", {}).get("schemas", {})
    operations: list[tuple[str, Mapping[str, Any]]] = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            if method.lower() != "post":
                raise SdkGenError(f"{method.upper()} {path}: every procedure must be a POST")
            operations.append((path, operation))

    errors: dict[str, ErrorDef] = {}
    error_statuses: dict[str, int] = {}
    for _, operation in operations:
        for status, response in operation.get("responses", {}).items():
            if not status.startswith("2"):
                for name in _refs(_json_schema(response)):
                    error_statuses.setdefault(name, int(status))
    for name, status in error_statuses.items():
        errors[name] = _error_def(name, schemas[name], status)
    codes = [e.code for e in errors.values()]
    if len(codes) != len(set(codes)):
        raise SdkGenError("two error schemas share a code")

    input_roots = [_ref_name(_json_schema(op["requestBody"])["$ref"]) for _, op in operations]
    inputs = _reachable(input_roots, schemas)
    output_roots = [
        name
        for _, op in operations
        for status, response in op.get("responses", {}).items()
        for name in _refs(_json_schema(response))
    ]
    outputs = _reachable(output_roots, schemas)
    fields = {name: _fields(name, schema) for name, schema in schemas.items() if name not in errors}
    unions = _named_unions(f.type for found in fields.values() for f in found)
    union_of: dict[str, TaggedUnionType] = {}
    for union in unions:
        for _, member in union.members:
            if union_of.setdefault(member, union) != union:
                raise SdkGenError(f"{member} is a member of two unions")
    models = {
        name: Model(
            name=name,
            description=str(schema.get("description", "")),
            fields=fields[name],
            is_input=name in inputs,
            is_output=name in outputs,
            union=union_of.get(name),
        )
        for name, schema in sorted(schemas.items())
        if name not in errors
    }

    procedures: list[ProcedureDef] = []
    for path, op in operations:
        success = _success(op.get("responses", {}))
        input_name = _ref_name(_json_schema(op["requestBody"])["$ref"])
        failures = sorted(
            {
                name
                for code, response in op.get("responses", {}).items()
                if not code.startswith("2")
                for name in _refs(_json_schema(response))
            },
            key=lambda n: (errors[n].status, errors[n].code),
        )
        procedures.append(
            ProcedureDef(
                name=str(op.get("operationId") or path.rsplit("/", 1)[-1]),
                path=path,
                summary=str(op.get("summary", "")),
                description=str(op.get("description", "")),
                input=models[input_name],
                output=parse_type(_json_schema(success)),
                errors=tuple(errors[n] for n in failures),
                security=tuple(tuple(alt) for alt in op.get("security", [])),
                tier=str(op.get("x-tier", "")),
                idempotent=any(
                    p.get("in") == "header" and str(p.get("name", "")).lower() == "idempotency-key"
                    for p in op.get("parameters", [])
                ),
                safe=op.get("x-scope") == "read",
            )
        )
    procedures.sort(key=lambda p: p.name)

    root = Namespace(())
    for procedure in procedures:
        *prefix, _ = procedure.name.split(".")
        if not prefix:
            raise SdkGenError(f"procedure {procedure.name!r} has no namespace (like teams.create)")
        node = root
        for part in prefix:
            node = node.children.setdefault(part, Namespace((*node.path, part)))
        node.procedures.append(procedure)

    types = [f.type for m in models.values() for f in m.fields]
    types += [e.data for e in errors.values()] + [p.output for p in procedures]
    info = document.get("info", {})
    return Api(
        title=str(info.get("title", "API")),
        version=str(info.get("version", "0.0.0")),
        description=str(info.get("description", "")),
        models=tuple(models.values()),
        errors=tuple(sorted(errors.values(), key=lambda e: e.name)),
        schemes=_schemes(document),
        procedures=tuple(procedures),
        root=root,
        literals=_named_literals(types),
        unions=unions,
    )
