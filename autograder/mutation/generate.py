"""Derives mutants of an exercise's solution cell from its source.

`mutants(cell_source)` parses the statements between `### BEGIN SOLUTION` and
`### END SOLUTION` (the whole cell when it has no markers) and returns one
`Mutant` per small change. Each change is made on the source text itself, so
the rest of the cell stays exactly as written. The operators:

- **strings**: an activation, loss, optimizer, metric, padding or pooling string
  swapped for one (sometimes two) sensible siblings; the same for
  `keras.activations.X` and `keras.losses.X` references;
- **numbers**: an int `n` becomes `n + 1` (a negative `-n` becomes `-(n + 1)`), a
  float `x` becomes `2 * x`, a bool is flipped; a Conv layer's kernel size goes
  1 -> 3, 3 -> 5, 5 -> 3 (a square tuple as a whole);
- **reorder**: each list or tuple of two or more items reversed (assignment
  targets too), the values of each dict of two or more entries reversed (keys
  kept: weights swapped), the positional arguments of each call reversed;
- **keyword**: each keyword argument dropped;
- **class**: a layer (or optimizer) class swapped for a compatible sibling
  (MaxPooling/AveragePooling, GlobalAverage/GlobalMax, Concatenate/Add,
  Add/Subtract, LSTM/GRU, Conv/SeparableConv, SGD/Adam, ...);
- **shared**: a call of a shared layer or model made on a second instance
  instead: a fresh copy of its constructor when the cell builds it (without its
  `name=`), else `keras.models.clone_model(...)`; every call of an object built
  outside the solution, and the second and later calls of one built inside it;
- **tensor**: a tensor passed to a call (an argument, an item of a list
  argument, `inputs=`/`outputs=`) swapped for another tensor the cell built
  before: the most recent one and the first one (usually an input).

Nothing inside `print(...)` or an f-string is mutated, nor `verbose=` (they only
change what is printed), nor a number given to `seed=` or `random_state=`.

Keys read like `"line 3: Conv2D activation= 'relu' -> 'tanh'"`; the line is
counted from the first line after `### BEGIN SOLUTION`, and a key stays the
same from run to run as long as the solution does. Mutants with the same code
are kept once.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"


@dataclass(frozen=True)
class Mutant:
    """One changed copy of a solution cell.

    Args:
        key: stable, readable name, e.g. "line 3: Conv2D activation= 'relu' -> 'tanh'".
        description: the change in a sentence.
        code: the whole mutated cell.
    """

    key: str
    description: str
    code: str


# --- sibling tables -------------------------------------------------------------------

ACTIVATIONS = {
    "relu": ["tanh"], "sigmoid": ["softmax"], "softmax": ["sigmoid"], "tanh": ["relu"],
    "linear": ["relu"], "elu": ["relu"], "selu": ["relu"], "gelu": ["relu"],
    "silu": ["relu"], "swish": ["relu"], "softplus": ["relu"], "relu6": ["relu"],
    "leaky_relu": ["relu"], "hard_sigmoid": ["sigmoid"], "exponential": ["relu"],
}
LOSSES = {
    "mse": ["mae"], "mean_squared_error": ["mean_absolute_error"],
    "mae": ["mse"], "mean_absolute_error": ["mean_squared_error"],
    "binary_crossentropy": ["categorical_crossentropy"],
    "categorical_crossentropy": ["binary_crossentropy", "sparse_categorical_crossentropy"],
    "sparse_categorical_crossentropy": ["categorical_crossentropy"],
    "huber": ["mse"], "msle": ["mse"], "mean_squared_logarithmic_error": ["mse"],
    "mape": ["mae"], "kl_divergence": ["categorical_crossentropy"],
    "hinge": ["binary_crossentropy"], "poisson": ["mse"], "cosine_similarity": ["mse"],
}
OPTIMIZERS = {
    "rmsprop": ["adam"], "adam": ["rmsprop"], "sgd": ["adam"], "adamw": ["adam"],
    "adagrad": ["adam"], "adadelta": ["adam"], "adamax": ["adam"], "nadam": ["adam"],
    "ftrl": ["adam"], "lion": ["adam"],
}
METRICS = {
    "accuracy": ["mae"], "acc": ["mae"], "binary_accuracy": ["accuracy"],
    "categorical_accuracy": ["accuracy"], "sparse_categorical_accuracy": ["accuracy"],
    "top_k_categorical_accuracy": ["accuracy"], "auc": ["accuracy"],
    "mae": ["mse"], "mse": ["mae"],
}
PADDINGS = {"same": ["valid"], "valid": ["same"], "causal": ["valid"]}
POOLINGS = {"avg": ["max"], "max": ["avg"]}
MERGE_MODES = {"concat": ["sum"], "sum": ["concat"], "mul": ["concat"], "ave": ["concat"]}

TABLES = {
    "activation": ACTIVATIONS, "loss": LOSSES, "optimizer": OPTIMIZERS, "metric": METRICS,
    "padding": PADDINGS, "pooling": POOLINGS, "merge_mode": MERGE_MODES,
}
KEYWORD_TABLE = {
    "activation": "activation", "recurrent_activation": "activation", "loss": "loss",
    "metrics": "metric", "weighted_metrics": "metric", "optimizer": "optimizer",
    "padding": "padding", "pooling": "pooling", "merge_mode": "merge_mode",
}
CALL_TABLE = {"Activation": "activation", "get": None}
# A string with no telling keyword is looked up in these tables, in order.
CONTEXT_FREE = ["activation", "loss", "optimizer", "padding"]
# `keras.<module>.<function>` references swapped like the strings above.
MODULE_TABLE = {"activations": ACTIVATIONS, "losses": LOSSES}


def _class_swaps() -> dict[str, list[str]]:
    swaps = {
        "Concatenate": ["Add"], "Add": ["Concatenate", "Subtract"], "Subtract": ["Add"],
        "Multiply": ["Add"], "Average": ["Add"], "Maximum": ["Add"], "Minimum": ["Maximum"],
        "LSTM": ["GRU"], "GRU": ["LSTM"], "SimpleRNN": ["LSTM"],
        "Conv1D": ["SeparableConv1D"], "Conv2D": ["SeparableConv2D"],
        "SeparableConv1D": ["Conv1D"], "SeparableConv2D": ["Conv2D"],
        "Dropout": ["GaussianDropout"], "BatchNormalization": ["LayerNormalization"],
        "SGD": ["Adam"], "Adam": ["RMSprop"], "RMSprop": ["Adam"], "AdamW": ["Adam"],
        "Adagrad": ["Adam"], "Nadam": ["Adam"],
    }
    for n in (1, 2, 3):
        swaps[f"MaxPooling{n}D"] = [f"AveragePooling{n}D"]
        swaps[f"AveragePooling{n}D"] = [f"MaxPooling{n}D"]
        swaps[f"MaxPool{n}D"] = [f"AveragePooling{n}D"]
        swaps[f"AvgPool{n}D"] = [f"MaxPooling{n}D"]
        swaps[f"GlobalAveragePooling{n}D"] = [f"GlobalMaxPooling{n}D"]
        swaps[f"GlobalMaxPooling{n}D"] = [f"GlobalAveragePooling{n}D"]
        swaps[f"GlobalAvgPool{n}D"] = [f"GlobalMaxPooling{n}D"]
        swaps[f"GlobalMaxPool{n}D"] = [f"GlobalAveragePooling{n}D"]
    return swaps


CLASS_SWAPS = _class_swaps()
# Functional merge helpers: swapped only as `layers.add`, `keras.layers.add` or a bare name.
FUNCTION_SWAPS = {
    "concatenate": ["add"], "add": ["concatenate", "subtract"], "subtract": ["add"],
    "multiply": ["add"], "average": ["add"], "maximum": ["add"], "minimum": ["maximum"],
}
CONV = re.compile(r"^(Separable|Depthwise)?Conv[123]D(Transpose)?$")
KERNEL_SIZES = {1: 3, 3: 5, 5: 3, 7: 5}
# `verbose` only sets what is printed: neither its value nor its presence is mutated.
OUTPUT_ONLY_KEYWORDS = {"verbose"}
NUMBER_SKIP_KEYWORDS = OUTPUT_ONLY_KEYWORDS | {"seed", "random_state"}
OUTPUT_ONLY_CALLS = {"print", "display"}
TENSOR_KEYWORDS = {"inputs", "outputs"}
MUTATING_METHODS = {
    "compile", "fit", "add", "train_on_batch", "set_weights", "load_weights", "build",
    "pop", "append", "extend", "insert", "update", "reset_states", "reset_metrics",
}


# --- the cell and its solution region -------------------------------------------------


def split_cell(source: str) -> tuple[str, str, str]:
    """The cell as (text up to and with the BEGIN line, solution lines, END line onwards).

    A cell without markers is all solution.
    """
    lines = source.splitlines(keepends=True)
    begin = next((i for i, line in enumerate(lines) if line.strip() == BEGIN), None)
    end = next((i for i, line in enumerate(lines) if line.strip() == END), None)
    if begin is None or end is None or end < begin:
        return "", source, ""
    before = "".join(lines[: begin + 1])
    region = "".join(lines[begin + 1: end])
    after = "".join(lines[end:])
    return before, region, after


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def _tail(node: ast.AST) -> str:
    """A short name for what a call calls: `layers.Conv2D` -> Conv2D, `Conv2D(8)(x)` -> Conv2D()."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _tail(node.func) + "()"
    if isinstance(node, ast.Subscript):
        return _tail(node.value) + "[]"
    return type(node).__name__.lower()


def _targets(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _targets(element)]
    if isinstance(target, ast.Starred):
        return _targets(target.value)
    return []


def _statement_bindings(statement: ast.stmt) -> list[str]:
    """Names a top-level statement binds in the notebook's namespace."""
    names: list[str] = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names += _targets(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            names += _targets(node.target)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    names += _targets(item.optional_vars)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.append(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.NamedExpr):
            names += _targets(node.target)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
    # ast.walk also enters function bodies: their local names, if any, are deleted too,
    # which is harmless.
    return list(dict.fromkeys(names))


def bound_names(source: str) -> list[str]:
    """Every name a piece of code binds at top level (assignments, loops, imports, defs)."""
    tree = _parse(source)
    if tree is None:
        return []
    return list(dict.fromkeys(n for statement in tree.body for n in _statement_bindings(statement)))


def import_names(source: str) -> set[str]:
    """The names a piece of code binds by `import` (modules and the like: never changed)."""
    tree = _parse(source)
    if tree is None:
        return set()
    return {alias.asname or alias.name.split(".")[0]
            for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names if alias.name != "*"}


def mentioned_names(source: str) -> set[str]:
    """Every name a piece of code reads or binds."""
    tree = _parse(source)
    if tree is None:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def solution_names(cell_source: str) -> list[str]:
    """The names the solution lines of a cell bind: what a mutant must bind again itself."""
    return bound_names(split_cell(cell_source)[1])


def inplace_names(cell_source: str) -> list[str]:
    """Names the cell uses but does not bind, and changes in place.

    Calling a layer or model adds a node to it; `compile`, `fit`, `add` and the like
    change the object; so does assigning to one of its attributes or items. A mutant
    that does any of this to an object made by an earlier cell leaves it changed, so
    the runner rebuilds it from that cell before each mutant.
    """
    tree = _parse(cell_source)
    if tree is None:
        return []
    bound = set(bound_names(cell_source))
    found: list[str] = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                name = node.func.id
            elif (isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING_METHODS
                  and isinstance(node.func.value, ast.Name)):
                name = node.func.value.id
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(
            node.ctx, ast.Store
        ) and isinstance(node.value, ast.Name):
            name = node.value.id
        if name and name not in bound and not hasattr(builtins, name):
            found.append(name)
    return list(dict.fromkeys(found))


# --- building mutants -----------------------------------------------------------------


@dataclass
class _Edit:
    start: int
    end: int
    text: str


class _Region:
    """The solution lines, parsed, with character offsets for ast positions."""

    def __init__(self, text: str, tree: ast.Module):
        self.text = text
        self.tree = tree
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.parent: dict[ast.AST, ast.AST] = {}
        self.statement: dict[ast.AST, ast.stmt] = {}
        for statement in tree.body:
            for node in ast.walk(statement):
                self.statement[node] = statement
                for child in ast.iter_child_nodes(node):
                    self.parent[child] = node

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset),
                self.offset(node.end_lineno, node.end_col_offset))

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def apply(self, edits: list[_Edit]) -> str:
        text = self.text
        for edit in sorted(edits, key=lambda e: e.start, reverse=True):
            text = text[: edit.start] + edit.text + text[edit.end:]
        return text

    def skipped(self, node: ast.AST) -> bool:
        """Inside print(...)/display(...) or an f-string: changes only what is printed."""
        if isinstance(node, ast.Call) and _tail(node.func) in OUTPUT_ONLY_CALLS:
            return True
        current = node
        while current in self.parent:
            current = self.parent[current]
            if isinstance(current, ast.JoinedStr):
                return True
            if isinstance(current, ast.Call) and _tail(current.func) in OUTPUT_ONLY_CALLS:
                return True
        return isinstance(node, ast.JoinedStr)

    def keyword_of(self, node: ast.AST) -> str | None:
        """The keyword argument a node is (part of) the value of, up to its call."""
        current = node
        while current in self.parent:
            parent = self.parent[current]
            if isinstance(parent, ast.keyword):
                return parent.arg
            if isinstance(parent, (ast.Call, ast.stmt)):
                return None
            current = parent
        return None

    def context(self, node: ast.AST) -> str:
        """Where a node sits: "Conv2D activation=", "compile loss=['aux']", "Input shape=[0]"."""
        path: list[str] = []
        current = node
        while current in self.parent:
            parent = self.parent[current]
            if isinstance(parent, ast.keyword):
                path.append(f"{parent.arg}=")
            elif isinstance(parent, ast.Call):
                if current in parent.args:
                    path.append(f"arg{parent.args.index(current) + 1}")
                    return f"{_tail(parent.func)} {''.join(reversed(path))}"
                if current is parent.func:
                    return "call"
                return f"{_tail(parent.func)} {''.join(reversed(path))}"
            elif isinstance(parent, (ast.List, ast.Tuple)) and current in parent.elts:
                path.append(f"[{parent.elts.index(current)}]")
            elif isinstance(parent, ast.Dict) and current in parent.values:
                key = parent.keys[parent.values.index(current)]
                if isinstance(key, ast.Constant):
                    path.append(f"[{key.value!r}]")
                else:
                    path.append(f"[{parent.values.index(current)}]")
            elif isinstance(parent, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                where = "target" if current is not getattr(parent, "value", None) else "value"
                if where == "value" and isinstance(parent, ast.Assign):
                    names = [n for t in parent.targets for n in _targets(t)]
                    return f"{', '.join(names)} = {''.join(reversed(path))}".rstrip()
                return f"assignment {where}{''.join(reversed(path))}"
            elif isinstance(parent, ast.stmt):
                return f"{type(parent).__name__.lower()}{''.join(reversed(path))}"
            current = parent
        return "".join(reversed(path))


class _Builder:
    def __init__(self, before: str, region: _Region, after: str):
        self.before = before
        self.region = region
        self.after = after
        self.items: list[tuple[str, str, str]] = []

    def line(self, node: ast.AST) -> int:
        return node.lineno

    def add(self, node: ast.AST, key: str, description: str, edits: list[_Edit]) -> None:
        mutated = self.region.apply(edits)
        if mutated == self.region.text:
            return
        self.items.append((f"line {node.lineno}: {key}", description,
                           self.before + mutated + self.after))

    def result(self) -> list[Mutant]:
        seen_code: set[str] = set()
        seen_keys: dict[str, int] = {}
        result = []
        for key, description, code in self.items:
            if code in seen_code:
                continue
            seen_code.add(code)
            count = seen_keys.get(key, 0) + 1
            seen_keys[key] = count
            result.append(Mutant(key if count == 1 else f"{key} (#{count})", description, code))
        return result


def _string_swaps(builder: _Builder, node: ast.Constant) -> None:
    region = builder.region
    parent = region.parent.get(node)
    if isinstance(parent, ast.Dict) and node in parent.keys:
        return
    keyword = region.keyword_of(node)
    if keyword == "name":
        return
    tables: list[str]
    if keyword in KEYWORD_TABLE:
        tables = [KEYWORD_TABLE[keyword]]
    elif isinstance(parent, ast.Call) and _tail(parent.func) in CALL_TABLE:
        table = CALL_TABLE[_tail(parent.func)]
        tables = [table] if table else []
    else:
        tables = CONTEXT_FREE
    for table in tables:
        siblings = TABLES[table].get(node.value)
        if siblings:
            for sibling in siblings:
                start, end = region.span(node)
                quote = region.text[start]
                builder.add(
                    node, f"{region.context(node)} {node.value!r} -> {sibling!r}",
                    f"The {table} {node.value!r} replaced by {sibling!r}.",
                    [_Edit(start, end, f"{quote}{sibling}{quote}")],
                )
            return


def _module_swaps(builder: _Builder, node: ast.Attribute) -> None:
    module = _tail(node.value)
    table = MODULE_TABLE.get(module)
    if table is None or node.attr not in table:
        return
    _, end = builder.region.span(node)
    for sibling in table[node.attr]:
        builder.add(node, f"{module}.{node.attr} -> {module}.{sibling}",
                    f"keras.{module}.{node.attr} replaced by keras.{module}.{sibling}.",
                    [_Edit(end - len(node.attr), end, sibling)])


def _class_swaps_at(builder: _Builder, node: ast.AST) -> None:
    if isinstance(node, ast.Attribute):
        name = node.attr
        is_layers_function = _tail(node.value) == "layers"
    elif isinstance(node, ast.Name):
        name = node.id
        is_layers_function = True
    else:
        return
    siblings = CLASS_SWAPS.get(name) or (FUNCTION_SWAPS.get(name) if is_layers_function else None)
    if not siblings:
        return
    _, end = builder.region.span(node)
    for sibling in siblings:
        builder.add(node, f"{name} -> {sibling}", f"{name} replaced by {sibling}.",
                    [_Edit(end - len(name), end, sibling)])


def _kernel_argument(region: _Region, node: ast.AST) -> ast.AST | None:
    """The kernel-size argument of a Conv layer that `node` is (an item of), if any."""
    current = node
    parent = region.parent.get(current)
    if isinstance(parent, ast.Tuple):
        current, parent = parent, region.parent.get(parent)
    if isinstance(parent, ast.keyword) and parent.arg == "kernel_size":
        call = region.parent.get(parent)
        if isinstance(call, ast.Call) and CONV.match(_tail(call.func)):
            return current
    if (isinstance(parent, ast.Call) and CONV.match(_tail(parent.func))
            and len(parent.args) >= 2 and parent.args[1] is current):
        return current
    return None


def _number(node: ast.AST) -> int | float | bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)):
        return -node.operand.value
    return None


def _changed_number(value: int | float) -> int | float:
    if isinstance(value, float):
        return 2 * value if value != 0 else 1.0
    return value - 1 if value < 0 else value + 1


def _number_swaps(builder: _Builder, node: ast.AST) -> None:
    region = builder.region
    value = _number(node)
    if value is None:
        return
    if region.keyword_of(node) in NUMBER_SKIP_KEYWORDS:
        return
    start, end = region.span(node)
    context = region.context(node)
    if isinstance(value, bool):
        builder.add(node, f"{context} {value} -> {not value}",
                    f"{value} replaced by {not value}.", [_Edit(start, end, str(not value))])
        return
    kernel = _kernel_argument(region, node)
    if kernel is not None and isinstance(value, int):
        if isinstance(kernel, ast.Tuple):
            values = [_number(e) for e in kernel.elts]
            if len(set(values)) == 1:
                if kernel.elts[0] is not node:
                    return  # the whole tuple changes once, at its first item
                new = KERNEL_SIZES.get(value, value + 1)
                text = "(" + ", ".join([str(new)] * len(values)) + ")"
                k_start, k_end = region.span(kernel)
                builder.add(kernel, f"{region.context(kernel)} kernel {region.segment(kernel)}"
                            f" -> {text}", f"Kernel size {region.segment(kernel)} -> {text}.",
                            [_Edit(k_start, k_end, text)])
                return
        new = KERNEL_SIZES.get(value, value + 1)
        builder.add(node, f"{context} kernel {value} -> {new}",
                    f"Kernel size {value} replaced by {new}.", [_Edit(start, end, str(new))])
        return
    new = _changed_number(value)
    builder.add(node, f"{context} {value!r} -> {new!r}", f"The number {value!r} replaced by "
                f"{new!r}.", [_Edit(start, end, repr(new))])


def _reversed_edits(region: _Region, items: list[ast.AST]) -> list[_Edit]:
    texts = [region.segment(item) for item in items]
    return [_Edit(*region.span(item), text) for item, text in zip(items, reversed(texts),
                                                                  strict=True)]


def _reorders(builder: _Builder, node: ast.AST) -> None:
    region = builder.region
    if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) >= 2:
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return
        # A parenthesis-free tuple's span is its items' span; fine for swapping items.
        kind = "list" if isinstance(node, ast.List) else "tuple"
        builder.add(node, f"reverse {region.context(node)} {kind}".replace("  ", " "),
                    f"The {kind} {region.segment(node)} reversed.",
                    _reversed_edits(region, node.elts))
    elif isinstance(node, ast.Dict) and len(node.values) >= 2 and None not in node.keys:
        builder.add(node, f"reverse {region.context(node)} dict values",
                    f"The values of the dict {region.segment(node)} reversed (keys kept).",
                    _reversed_edits(region, node.values))
    elif isinstance(node, ast.Call) and len(node.args) >= 2:
        if any(isinstance(a, ast.Starred) for a in node.args):
            return
        builder.add(node, f"reverse {_tail(node.func)} arguments",
                    f"The positional arguments of {_tail(node.func)}(...) reversed.",
                    _reversed_edits(region, node.args))


def _keyword_drops(builder: _Builder, call: ast.Call) -> None:
    region = builder.region
    arguments = sorted(
        [*call.args, *call.keywords], key=lambda a: (a.lineno, a.col_offset)
    )
    for index, argument in enumerate(arguments):
        if (not isinstance(argument, ast.keyword) or argument.arg is None
                or argument.arg in OUTPUT_ONLY_KEYWORDS):
            continue
        start, end = region.span(argument)
        if index > 0:
            start = region.span(arguments[index - 1])[1]
        elif index + 1 < len(arguments):
            end = region.span(arguments[index + 1])[0]
        builder.add(argument, f"{_tail(call.func)} drop {argument.arg}=",
                    f"The argument {argument.arg}= of {_tail(call.func)}(...) left out.",
                    [_Edit(start, end, "")])


def _constructors(tree: ast.Module | None) -> dict[str, list[tuple[int, ast.Call]]]:
    """name -> [(order, the Call it was last bound to)] for `name = <call>` statements."""
    found: dict[str, list[tuple[int, ast.Call]]] = {}
    if tree is None:
        return found
    for order, statement in enumerate(tree.body):
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(statement.value, ast.Call)):
            found.setdefault(statement.targets[0].id, []).append((order, statement.value))
    return found


def _without_name(call: ast.Call) -> str:
    copy = ast.Call(func=call.func, args=call.args,
                    keywords=[k for k in call.keywords if k.arg != "name"])
    return ast.unparse(copy)


def _shared_splits(builder: _Builder, setup_tree: ast.Module | None) -> None:
    """A call of a shared layer or model made on a second instance instead."""
    region = builder.region
    tree = region.tree
    region_bound = {n for s in tree.body for n in _statement_bindings(s)}
    setup_constructors = _constructors(setup_tree)
    region_constructors = _constructors(tree)
    calls: dict[str, list[ast.Call]] = {}
    for statement in tree.body:
        for node in ast.walk(statement):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and not hasattr(builtins, node.func.id) and not region.skipped(node)):
                calls.setdefault(node.func.id, []).append(node)
    for name, uses in calls.items():
        uses.sort(key=lambda c: (c.lineno, c.col_offset))
        inside = name in region_bound
        if inside and len(uses) < 2:
            continue
        for number, use in enumerate(uses):
            if inside and number == 0:
                continue
            statement_index = tree.body.index(region.statement[use])
            constructor = None
            if inside:
                earlier = [c for order, c in region_constructors.get(name, [])
                           if order < statement_index]
                constructor = earlier[-1] if earlier else None
            elif name in setup_constructors:
                constructor = setup_constructors[name][-1][1]
            if inside and constructor is None:
                continue
            copy = (_without_name(constructor) if constructor is not None
                    else f"keras.models.clone_model({name})")
            start, end = region.span(use.func)
            which = "the shared" if (inside or len(uses) > 1) else "the existing"
            builder.add(use, f"new {name} instead of {which} one",
                        f"{name}(...) replaced by a second instance, {copy}(...).",
                        [_Edit(start, end, copy)])


def _tensor_sites(region: _Region) -> list[ast.Name]:
    """Names passed to calls as tensors: arguments, list items, inputs=/outputs=."""
    sites = []
    for statement in region.tree.body:
        for node in ast.walk(statement):
            if not isinstance(node, ast.Call) or region.skipped(node):
                continue
            values = list(node.args) + [k.value for k in node.keywords if k.arg in TENSOR_KEYWORDS]
            for value in values:
                if isinstance(value, ast.Name):
                    sites.append(value)
                elif isinstance(value, (ast.List, ast.Tuple)):
                    sites += [e for e in value.elts if isinstance(e, ast.Name)]
    return sites


def _tensor_swaps(builder: _Builder, setup_tree: ast.Module | None) -> None:
    """A call made on another tensor: the most recent one the cell built, and the first."""
    region = builder.region
    tree = region.tree
    # Order in which the cell binds names from calls: set-up statements first.
    bindings: list[tuple[float, str]] = []
    setup_statements = setup_tree.body if setup_tree is not None else []
    for order, statement in enumerate(setup_statements):
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            bindings += [(order - len(setup_statements), n)
                         for t in statement.targets for n in _targets(t)]
    for order, statement in enumerate(tree.body):
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            bindings += [(order, n) for t in statement.targets for n in _targets(t)]
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                called.add(node.func.id)
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                called.add(node.func.value.id)
    sites = _tensor_sites(region)
    tensors = {site.id for site in sites} - called
    bindings = [(order, name) for order, name in bindings if name in tensors]
    for site in sites:
        if site.id not in tensors:
            continue
        here = tree.body.index(region.statement[site])
        before = [name for order, name in bindings if order < here and name != site.id]
        if not before:
            continue
        choices = list(dict.fromkeys([before[-1], before[0]]))
        start, end = region.span(site)
        for choice in choices:
            builder.add(site, f"{region.context(site)} {site.id} -> {choice}",
                        f"{site.id} replaced by {choice} as the tensor passed to "
                        f"{region.context(site).split(' ')[0]}.",
                        [_Edit(start, end, choice)])


def mutants(cell_source: str) -> list[Mutant]:
    """The mutants of one solution cell, in source order within each operator.

    Returns an empty list when the solution lines do not parse as Python.
    """
    before, text, after = split_cell(cell_source)
    tree = _parse(text)
    if tree is None:
        return []
    region = _Region(text, tree)
    builder = _Builder(before, region, after)
    setup_text = before + "\n" + after
    setup_tree = _parse("\n".join(
        line for line in setup_text.splitlines() if not line.lstrip().startswith(("%", "!"))
    ))
    nodes = [node for statement in tree.body for node in ast.walk(statement)]
    nodes.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    nodes = [n for n in nodes if hasattr(n, "lineno") and not region.skipped(n)]
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            _string_swaps(builder, node)
        elif isinstance(node, ast.Attribute):
            _module_swaps(builder, node)
    for node in nodes:
        # A negative literal changes as a whole, not its operand.
        parent = region.parent.get(node)
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.USub):
            continue
        _number_swaps(builder, node)
    for node in nodes:
        _reorders(builder, node)
    for node in nodes:
        if isinstance(node, ast.Call):
            _keyword_drops(builder, node)
    for node in nodes:
        parent = region.parent.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            _class_swaps_at(builder, node)
    _shared_splits(builder, setup_tree)
    _tensor_swaps(builder, setup_tree)
    return builder.result()
