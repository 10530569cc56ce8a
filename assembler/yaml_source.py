"""YAML to plain Python values, remembering the line of every key.

PyYAML reports where a value sits only on its nodes, so we compose the node
tree ourselves and build values from it, keeping ``{key path: line}``.  That
lets every later problem (a missing file, an impossible date) name its line.

Two YAML 1.1 traps are closed here:

* ``18:30`` unquoted is a base-60 integer (1110) in YAML 1.1; we read any
  ``H:MM`` or ``HH:MM`` plain scalar as the string it looks like.
* an impossible date (``2025-02-30``) makes PyYAML raise a bare
  ``ValueError``; we report it with its line.

And a hostile file is refused in one line, not followed until memory or the
stack runs out: aliases that expand to more than ``MAX_VALUES`` values (a
"billion laughs" of a kilobyte), and nesting deeper than ``MAX_DEPTH``.
"""

import re

import yaml

from assembler.errors import InputError

MAX_VALUES = 100_000  # in one spec: aliases that repeat each other could make billions
MAX_DEPTH = 50  # a spec nests five deep

_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads clock times as strings, not base-60 integers."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":
    _Loader.yaml_implicit_resolvers.setdefault(_digit, []).insert(
        0, ("tag:yaml.org,2002:str", _CLOCK)
    )


def format_path(path):
    """``("agenda", 2, "paper")`` -> ``agenda[2].paper``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class YamlSource:
    """A parsed YAML file: its data and the line of each key path.

    A scalar that cannot be constructed (an impossible date) is kept as its
    text and noted in ``problems``, so that all problems can be reported at once.
    """

    def __init__(self, name, text):
        self.name = name
        self.lines = {}
        self.problems = {}  # key path -> message, for values YAML could not construct
        self._open, self._count = set(), 0  # collections being read (an alias inside its own anchor loops)
        try:
            loader = _Loader(text)
            try:
                node = loader.get_single_node()
                self._loader = loader
                self.data = self._value(node, ()) if node is not None else None
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = f"{name}:{mark.line + 1}" if mark else name
            raise InputError(f"{where}: not valid YAML: {error.problem or error.context}") from None
        except yaml.YAMLError as error:
            raise InputError(f"{name}: not valid YAML: {error}") from None
        except RecursionError:
            raise InputError(f"{name}: nested too deeply to be a meeting's spec") from None

    def line(self, path):
        """The 1-based line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def where(self, path):
        """``pack.yaml:12: agenda[2].paper`` for messages."""
        key = format_path(path)
        return f"{self.name}:{self.line(path)}" + (f": {key}" if key else "")

    def _value(self, node, path):
        self.lines.setdefault(path, node.start_mark.line + 1)
        self._count += 1
        if self._count > MAX_VALUES:
            raise InputError(f"{self.name}: more than {MAX_VALUES:,} values (aliases repeating each other?)")
        if len(path) > MAX_DEPTH:
            raise InputError(f"{self.where(path)}: nested more than {MAX_DEPTH} levels deep; refused")
        if id(node) in self._open:
            raise InputError(f"{self.where(path)}: contains itself (an alias inside its own anchor)")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self._open.add(id(node))
            try:
                return self._collection(node, path)
            finally:
                self._open.discard(id(node))
        return self._scalar(node, path)

    def _collection(self, node, path):
        if isinstance(node, yaml.MappingNode):
            self._loader.flatten_mapping(node)
            result = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node, path)
                if not isinstance(key, (str, int)):
                    raise InputError(f"{self.where(path)}: a key must be a word, not {key!r}")
                if key in result:
                    raise InputError(
                        f"{self.name}:{key_node.start_mark.line + 1}: "
                        f"{format_path(path + (key,))} is given twice"
                    )
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                result[key] = self._value(value_node, path + (key,))
            return result
        return [self._value(child, path + (index,)) for index, child in enumerate(node.value)]

    def _scalar(self, node, path):
        if not isinstance(node, yaml.ScalarNode):
            raise InputError(f"{self.name}:{node.start_mark.line + 1}: a key must be a word")
        try:
            return self._loader.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError) as error:
            reason = str(error).split("\n")[0]
            self.problems[path] = f"{self.where(path)}: {node.value!r} is not a real value ({reason})"
            return node.value
