"""suites/logboek/harness/wire.py builds the `logboek.v1` classes from a descriptor written in
Python; this holds it to suites/logboek/harness/logboek.proto, compiled here with grpc_tools.protoc
(a test dependency): the same file descriptor (messages, field names, numbers, types, labels, the
status enum, the service), and messages that survive a round trip between the two.

Skipped when grpcio-tools is not installed, except in CI (`CI=true`), which must run it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

from cgconform.suites.logboek.harness import wire

if not os.environ.get("CI"):
    pytest.importorskip(
        "grpc_tools", reason="grpcio-tools is not installed (pip install -e '.[test]')"
    )

from grpc_tools import protoc  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[2]
PROTO = REPO / "suites" / "logboek" / "harness" / "logboek.proto"


@pytest.fixture(scope="module")
def protoc_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """protoc's output for logboek.proto (import path logboek/v1/logboek.proto): logboek.pb (the
    descriptor set) and logboek/v1/logboek_pb2.py."""
    root = tmp_path_factory.mktemp("proto")
    (root / "logboek" / "v1").mkdir(parents=True)
    shutil.copy(PROTO, root / "logboek" / "v1" / "logboek.proto")
    out = root / "logboek.pb"
    include = Path(protoc.__file__).parent / "_proto"  # google/protobuf/timestamp.proto
    code = protoc.main(
        [
            "protoc",
            f"-I{root}",
            f"-I{include}",
            f"--descriptor_set_out={out}",
            f"--python_out={root}",
            "logboek/v1/logboek.proto",
        ]
    )
    assert code == 0, "protoc failed on suites/logboek/harness/logboek.proto"
    assert (root / "logboek" / "v1" / "logboek_pb2.py").is_file()
    return root


@pytest.fixture(scope="module")
def compiled(protoc_out: Path) -> descriptor_pb2.FileDescriptorProto:
    files = descriptor_pb2.FileDescriptorSet.FromString((protoc_out / "logboek.pb").read_bytes())
    assert [f.name for f in files.file] == ["logboek/v1/logboek.proto"]
    return files.file[0]


def _fields(message: descriptor_pb2.DescriptorProto) -> list[tuple[str, int, int, int, str]]:
    return [(f.name, f.number, f.label, f.type, f.type_name) for f in message.field]


def test_the_descriptor_is_the_compiled_one(
    compiled: descriptor_pb2.FileDescriptorProto,
) -> None:
    ours = wire.file_descriptor_proto()
    # named parts first, so that a difference says where it is
    assert ours.package == compiled.package == "logboek.v1"
    assert list(ours.dependency) == list(compiled.dependency)
    assert [m.name for m in ours.message_type] == [m.name for m in compiled.message_type]
    for mine, theirs in zip(ours.message_type, compiled.message_type, strict=True):
        assert _fields(mine) == _fields(theirs), mine.name
        assert [n.name for n in mine.nested_type] == [n.name for n in theirs.nested_type]
        for a, b in zip(mine.nested_type, theirs.nested_type, strict=True):
            assert _fields(a) == _fields(b), f"{mine.name}.{a.name}"
        assert [(e.name, [(v.name, v.number) for v in e.value]) for e in mine.enum_type] == [
            (e.name, [(v.name, v.number) for v in e.value]) for e in theirs.enum_type
        ]
    assert ours.service == compiled.service
    # and then everything, json names and syntax included
    assert ours == compiled


def test_names_and_enum() -> None:
    operation = wire.ProcessingOperation.DESCRIPTOR
    assert operation.full_name == "logboek.v1.ProcessingOperation"
    assert {f.name: f.number for f in operation.fields} == {
        "trace_id": 1,
        "operation_id": 2,
        "parent_operation_id": 3,
        "name": 4,
        "start_time": 5,
        "end_time": 6,
        "status_code": 7,
        "foreign_operation": 8,
        "attributes": 9,
    }
    assert {v.name: v.number for v in operation.enum_types_by_name["StatusCode"].values} == (
        wire.STATUS_CODES
    )
    assert (wire.STATUS_CODE_UNKNOWN, wire.STATUS_CODE_OK, wire.STATUS_CODE_ERROR) == (0, 1, 2)
    assert wire.LOGBOEK_EXPORT == "/logboek.v1.LogboekService/Export"
    assert wire.OTLP_TRACE_EXPORT == "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
    assert wire.FILE.services_by_name["LogboekService"].methods_by_name["Export"].input_type is (
        wire.ExportOperationsRequest.DESCRIPTOR
    )


def _request() -> Any:
    return wire.ExportOperationsRequest(
        resource=wire.Resource(name="parkeren", version="1.2.3"),
        operations=[
            wire.ProcessingOperation(
                trace_id=bytes(range(1, 17)),
                operation_id=bytes(range(1, 9)),
                parent_operation_id=bytes(range(9, 17)),
                name="brp-opvragen",
                start_time=wire.timestamp(1_764_068_470_669_123_456),
                end_time=wire.timestamp(1_764_068_470_700_000_000),
                status_code=wire.STATUS_CODE_ERROR,
                foreign_operation=wire.ForeignProcessingOperation(
                    trace_id=b"\xaa" * 16, operation_id=b"\xbb" * 8, entity="gemeente"
                ),
                attributes=[wire.Attribute(key="dpl.core.processing_activity_id", value="x")],
            )
        ],
    )


def test_round_trip_through_the_compiled_classes(
    compiled: descriptor_pb2.FileDescriptorProto,
) -> None:
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    pool.Add(compiled)
    theirs = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("logboek.v1.ExportOperationsRequest")
    )
    ours = _request()
    raw = ours.SerializeToString()
    parsed = theirs.FromString(raw)
    op = parsed.operations[0]
    assert (parsed.resource.name, parsed.resource.version) == ("parkeren", "1.2.3")
    assert op.trace_id == bytes(range(1, 17)) and op.parent_operation_id == bytes(range(9, 17))
    assert op.status_code == 2 and op.foreign_operation.entity == "gemeente"
    assert op.start_time.ToNanoseconds() == 1_764_068_470_669_123_456
    assert [(a.key, a.value) for a in op.attributes] == [("dpl.core.processing_activity_id", "x")]
    back = wire.ExportOperationsRequest.FromString(parsed.SerializeToString())
    assert back == ours
    assert wire.unix_nano(back.operations[0].end_time) == 1_764_068_470_700_000_000
    assert wire.ExportOperationsResponse.FromString(b"") == wire.ExportOperationsResponse()


def test_generated_module_imports_beside_wire(protoc_out: Path) -> None:
    """protoc's own Python output parses what wire writes; wire's private pool lets both live in
    one process (the generated module registers the same names in protobuf's default pool)."""
    sys.path.insert(0, str(protoc_out))
    try:
        from logboek.v1 import logboek_pb2  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(protoc_out))
    generated = logboek_pb2.ExportOperationsRequest.FromString(_request().SerializeToString())
    assert generated.operations[0].name == "brp-opvragen"
    assert generated.operations[0].status_code == logboek_pb2.ProcessingOperation.STATUS_CODE_ERROR
