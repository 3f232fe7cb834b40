"""Line and column of a JSON pointer in a JSON or YAML text, for findings that point into a
document (SARIF regions, `file:line:col` in lint output).

rapidyaml parses the text in place in about 1/100 of PyYAML's time; the position of a node is
the offset of its key in that buffer. Where rapidyaml is missing or refuses the text, PyYAML's
node tree (tag resolution skipped) gives the same answer more slowly.
"""

from __future__ import annotations

import bisect
import ctypes
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml


@cache
def _node_loader() -> Any:
    """PyYAML's loader that composes nodes for their source marks only: no tag resolution (4x
    faster). Made on first use: most texts never need PyYAML, and importing it is not free."""
    import yaml

    class NodeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return "tag:yaml.org,2002:str"

    return NodeLoader


class _PyBuffer(ctypes.Structure):
    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.py_object),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.c_void_p),
        ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


def _address(obj: Any) -> int:
    """Start address of a buffer (bytearray, memoryview), read-only ones too."""
    view = _PyBuffer()
    get = ctypes.pythonapi.PyObject_GetBuffer
    get.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
    release = ctypes.pythonapi.PyBuffer_Release
    release.argtypes = [ctypes.POINTER(_PyBuffer)]
    if get(obj, ctypes.byref(view), 0) != 0:
        raise ValueError("no buffer")
    try:
        return int(view.buf or 0)
    finally:
        release(ctypes.byref(view))


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


class SourceMap:
    """Positions in one text; built on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ryml: tuple[Any, bytearray, int] | None = None
        self._nodes: yaml.Node | None = None
        self._mode: str | None = None
        self._line_starts: list[int] | None = None

    def position(self, pointer: str) -> tuple[int, int] | None:
        """(line, column), 1-based; for a pointer that goes deeper than the text (a missing
        member), the deepest existing node on its way."""
        if self._mode is None:
            self._mode = self._build()
        if self._mode == "ryml":
            return self._ryml_position(_tokens(pointer))
        if self._mode == "pyyaml":
            return self._pyyaml_position(_tokens(pointer))
        return None

    def _build(self) -> str:
        try:
            import ryml

            raw = bytearray(self.text.encode("utf-8"))
            tree = ryml.parse_in_place(raw)
            self._ryml = (tree, raw, _address(raw))
            return "ryml"
        except Exception:  # rapidyaml missing or refusing this text: PyYAML
            pass
        import yaml

        try:
            self._nodes = yaml.compose(self.text, Loader=_node_loader())
        except yaml.YAMLError:
            return "none"
        return "pyyaml" if self._nodes is not None else "none"

    def _ryml_position(self, tokens: list[str]) -> tuple[int, int] | None:
        assert self._ryml is not None
        tree, raw, base = self._ryml
        node = tree.root_id()
        keyed: int | None = None
        for token in tokens:
            if tree.is_map(node):
                child = tree.find_child(node, token.encode("utf-8"))
            elif tree.is_seq(node) and token.isdigit() and int(token) < tree.num_children(node):
                child = tree.child(node, int(token))
            else:
                break
            if child < 0 or child >= tree.size():
                break
            node = child
            keyed = node if tree.has_key(node) else keyed
        anchor = keyed if keyed is not None and keyed == node else None
        try:
            if anchor is not None:
                offset = _address(tree.key(anchor)) - base
            elif tree.has_val(node):
                offset = _address(tree.val(node)) - base
            elif tree.has_children(node):
                first = tree.first_child(node)
                view = tree.key(first) if tree.has_key(first) else tree.val(first)
                offset = _address(view) - base
            else:
                return None
        except (ValueError, TypeError):
            return None
        if not 0 <= offset <= len(raw):
            return None
        line, start = self._line_of(raw, offset)
        column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
        if offset > 0 and raw[offset - 1] in (34, 39):  # a quoted key starts at its quote
            column -= 1
        return line + 1, column

    def _line_of(self, raw: bytearray, offset: int) -> tuple[int, int]:
        """(0-based line, offset where it starts) of a byte offset: the line starts are found
        once per text, then each position is a bisection (a document can have hundreds)."""
        if self._line_starts is None:
            starts = [0]
            at = raw.find(b"\n")
            while at >= 0:
                starts.append(at + 1)
                at = raw.find(b"\n", at + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line, self._line_starts[line]

    def _pyyaml_position(self, tokens: list[str]) -> tuple[int, int] | None:
        import yaml

        node = self._nodes
        if node is None:
            return None
        for token in tokens:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if str(key_node.value) == token:
                        child = value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and token.isdigit()
                and int(token) < len(node.value)
            ):
                child = node.value[int(token)]
            if child is None:
                break
            node = child
        return int(node.start_mark.line) + 1, int(node.start_mark.column) + 1
