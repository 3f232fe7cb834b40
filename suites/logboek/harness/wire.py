"""The `logboek.v1` wire format (the MinBZK reference Logboek's gRPC service) as Python classes.

`logboek.proto` beside this module is the source (copied from
MinBZK/logboek-dataverwerkingen-logboek, proto/logboek/v1/logboek.proto at commit 3244585). This
module builds the same file descriptor in Python at import time, so nothing has to be compiled when
cgconform is installed; the test
`tests/logboek/test_wire.py` compiles the .proto with grpc_tools.protoc and compares the two.

The classes live in a private descriptor pool (not protobuf's default pool), so that a process
that also imports MinBZK's generated `logboek_pb2` does not get a duplicate-symbol error. One
consequence: the `google.protobuf.Timestamp` inside these messages is this pool's class
(`Timestamp` below), not `timestamp_pb2.Timestamp`; fill a time with
`op.start_time.FromNanoseconds(ns)`, with `timestamp(ns)`, or with a `datetime` in the constructor.

A gRPC call: method `LOGBOEK_EXPORT` with an `ExportOperationsRequest` serialised with
`SerializeToString`, the answer parsed with `ExportOperationsResponse.FromString`.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

PACKAGE = "logboek.v1"
FILE_NAME = "logboek/v1/logboek.proto"
SERVICE = "logboek.v1.LogboekService"
LOGBOEK_EXPORT = "/logboek.v1.LogboekService/Export"
# OTLP/gRPC (opentelemetry-proto, collector/trace/v1/trace_service.proto)
OTLP_TRACE_SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"
OTLP_TRACE_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

# ProcessingOperation.StatusCode
STATUS_CODE_UNKNOWN = 0
STATUS_CODE_OK = 1
STATUS_CODE_ERROR = 2
STATUS_CODES = {
    "STATUS_CODE_UNKNOWN": STATUS_CODE_UNKNOWN,
    "STATUS_CODE_OK": STATUS_CODE_OK,
    "STATUS_CODE_ERROR": STATUS_CODE_ERROR,
}

_F = descriptor_pb2.FieldDescriptorProto
_OPTIONAL, _REPEATED = _F.LABEL_OPTIONAL, _F.LABEL_REPEATED
_STRING, _BYTES, _MESSAGE, _ENUM = _F.TYPE_STRING, _F.TYPE_BYTES, _F.TYPE_MESSAGE, _F.TYPE_ENUM

# (name, number, label, type, type_name) per message, in the order of logboek.proto
_Field = tuple[str, int, int, int, str]
_MESSAGES: dict[str, list[_Field]] = {
    "ExportOperationsRequest": [
        ("resource", 1, _OPTIONAL, _MESSAGE, ".logboek.v1.Resource"),
        ("operations", 2, _REPEATED, _MESSAGE, ".logboek.v1.ProcessingOperation"),
    ],
    "ExportOperationsResponse": [],
    "Resource": [
        ("name", 1, _OPTIONAL, _STRING, ""),
        ("version", 2, _OPTIONAL, _STRING, ""),
    ],
    "ProcessingOperation": [
        ("trace_id", 1, _OPTIONAL, _BYTES, ""),
        ("operation_id", 2, _OPTIONAL, _BYTES, ""),
        ("parent_operation_id", 3, _OPTIONAL, _BYTES, ""),
        ("name", 4, _OPTIONAL, _STRING, ""),
        ("start_time", 5, _OPTIONAL, _MESSAGE, ".google.protobuf.Timestamp"),
        ("end_time", 6, _OPTIONAL, _MESSAGE, ".google.protobuf.Timestamp"),
        ("status_code", 7, _OPTIONAL, _ENUM, ".logboek.v1.ProcessingOperation.StatusCode"),
        (
            "foreign_operation",
            8,
            _OPTIONAL,
            _MESSAGE,
            ".logboek.v1.ProcessingOperation.ForeignProcessingOperation",
        ),
        ("attributes", 9, _REPEATED, _MESSAGE, ".logboek.v1.Attribute"),
    ],
    "Attribute": [
        ("key", 1, _OPTIONAL, _STRING, ""),
        ("value", 2, _OPTIONAL, _STRING, ""),
    ],
}
_FOREIGN_OPERATION: list[_Field] = [
    ("trace_id", 1, _OPTIONAL, _BYTES, ""),
    ("operation_id", 2, _OPTIONAL, _BYTES, ""),
    ("entity", 3, _OPTIONAL, _STRING, ""),
]


def _json_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _add_fields(message: descriptor_pb2.DescriptorProto, fields: list[_Field]) -> None:
    for name, number, label, kind, type_name in fields:
        field = message.field.add(
            name=name, number=number, label=label, type=kind, json_name=_json_name(name)
        )
        if type_name:
            field.type_name = type_name


def file_descriptor_proto() -> descriptor_pb2.FileDescriptorProto:
    """logboek.proto as a FileDescriptorProto (what protoc would produce, without source info)."""
    file = descriptor_pb2.FileDescriptorProto(
        name=FILE_NAME,
        package=PACKAGE,
        dependency=["google/protobuf/timestamp.proto"],
        syntax="proto3",
    )
    for name, fields in _MESSAGES.items():
        message = file.message_type.add(name=name)
        _add_fields(message, fields)
        if name == "ProcessingOperation":
            enum = message.enum_type.add(name="StatusCode")
            for value_name, number in STATUS_CODES.items():
                enum.value.add(name=value_name, number=number)
            _add_fields(
                message.nested_type.add(name="ForeignProcessingOperation"), _FOREIGN_OPERATION
            )
    service = file.service.add(name="LogboekService")
    method = service.method.add(
        name="Export",
        input_type=".logboek.v1.ExportOperationsRequest",
        output_type=".logboek.v1.ExportOperationsResponse",
    )
    method.options.SetInParent()  # `rpc ... {}` in the .proto: empty options, as protoc writes them
    return file


POOL = descriptor_pool.DescriptorPool()
POOL.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
FILE = POOL.AddSerializedFile(file_descriptor_proto().SerializeToString())


def _message_class(name: str) -> Any:
    return message_factory.GetMessageClass(POOL.FindMessageTypeByName(name))


# The message classes (protobuf builds them; their fields are not known to a type checker)
ExportOperationsRequest: Any = _message_class("logboek.v1.ExportOperationsRequest")
ExportOperationsResponse: Any = _message_class("logboek.v1.ExportOperationsResponse")
Resource: Any = _message_class("logboek.v1.Resource")
ProcessingOperation: Any = _message_class("logboek.v1.ProcessingOperation")
ForeignProcessingOperation: Any = _message_class(
    "logboek.v1.ProcessingOperation.ForeignProcessingOperation"
)
Attribute: Any = _message_class("logboek.v1.Attribute")
Timestamp: Any = _message_class("google.protobuf.Timestamp")


def timestamp(unix_nano: int) -> Any:
    """A `Timestamp` of this pool for nanoseconds since the epoch."""
    value = Timestamp()
    value.FromNanoseconds(unix_nano)
    return value


def unix_nano(value: Any) -> int:
    """Nanoseconds since the epoch of a Timestamp (0 for an unset one)."""
    return int(value.seconds) * 1_000_000_000 + int(value.nanos)
