"""Runs the kernel-side formats for the parity test: {"jobs", "shared"} as
JSON on stdin, a JSON list of results on stdout (one process per test
suite). An argument {"$ref": n} stands for shared[n], sent once."""

import ast
import base64
import importlib.util
import json
import pathlib
import sys

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "kernel" / "lmk_formats.py"
spec = importlib.util.spec_from_file_location("lmk_formats", SOURCE)
formats = importlib.util.module_from_spec(spec)
spec.loader.exec_module(formats)


def msgids():
    """Every msgid the module translates, read from its calls to _t and _n."""
    singular, plural = set(), set()
    for node in ast.walk(ast.parse(SOURCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_t", "_n"):
            ids = node.args[1:3] if node.func.id == "_n" else node.args[1:2]
            if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in ids):
                raise ValueError("a msgid that is not a literal, line %d" % node.lineno)
            values = tuple(a.value for a in ids)
            (plural if node.func.id == "_n" else singular).add(values if len(values) > 1 else values[0])
    return {"singular": sorted(singular), "plural": sorted(plural)}


def resolve(value, shared):
    if isinstance(value, dict):
        if "$ref" in value:
            return shared[value["$ref"]]
        return {k: resolve(v, shared) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, shared) for v in value]
    return value


def run(job, shared):
    op = job["op"]
    args = resolve(job.get("args", []), shared)
    if op == "msgids":
        return msgids()
    if op == "remote_types":
        return list(formats.REMOTE_TYPES)
    if op == "matrix_html":
        try:
            return formats._sanitize(formats._markdown_html(formats._u16(args[0])))
        except formats._Unsure:
            return None
    if op == "channel_request":
        try:
            request = formats.channel_request(*args)
        except formats.ChannelError as error:
            return {"error": str(error)}
        if request is not None:
            request["body"] = base64.b64encode(request["body"]).decode("ascii")
        return request
    return getattr(formats, op)(*args)


given = json.load(sys.stdin)
json.dump([run(job, given["shared"]) for job in given["jobs"]], sys.stdout)
