"""Checking a template staff wrote before it is saved: only the placeholders its purpose offers, only simple
`{% if %}` logic and a few filters, each problem in words staff understand."""

import difflib

from flask_babel import lazy_gettext as _l
from jinja2 import TemplateSyntaxError, nodes
from jinja2.exceptions import TemplateAssertionError

from services.notifications.content.messages import (
    _sandbox,
    placeholders,
)

FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default")
TESTS = ("defined", "none", "number", "string")
#: Template constructs staff may use: text, placeholders, conditions and the filters above.
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Const,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Filter,
    nodes.Test,
)


def check(purpose: str, source: str) -> list[str]:
    """Return what is wrong with a template's text for `purpose`, in words staff understand (empty when fine)."""
    try:
        tree = _sandbox.parse(source)
    except TemplateSyntaxError as error:
        return [_l("Penulisan templat salah di baris %(line)s: %(detail)s", line=error.lineno, detail=error.message)]
    allowed, problems = placeholders(purpose), []
    objects = {name.partition(".")[0] for name in allowed if "." in name}

    def unknown(name: str):
        close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.5)
        if close:
            return _l("Isian {{ %(name)s }} tidak dikenal. Maksud Anda {{ %(close)s }}?", name=name, close=close[0])
        return _l("Isian {{ %(name)s }} tidak dikenal; lihat daftar isian yang dapat dipakai.", name=name)

    def refuse(text) -> None:
        if text not in problems:
            problems.append(text)

    for node in _walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            refuse(
                _l(
                    "Bagian %(part)s tidak didukung di templat pesan; pakai teks, isian dan {%% if %%}.",
                    part=_describe(node),
                )
            )
        elif isinstance(node, nodes.Getattr):
            name = f"{_dotted(node.node)}.{node.attr}"
            if not isinstance(node.node, nodes.Name) or name not in allowed:
                refuse(unknown(name))
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name in objects and not _is_getattr_target(tree, node):
                refuse(
                    _l(
                        "Isian {{ %(name)s }} perlu nama bagiannya, mis. {{ %(name)s.%(example)s }}.",
                        name=node.name,
                        example=_first_attr(allowed, node.name),
                    )
                )
            elif node.name not in allowed and node.name not in objects:
                refuse(unknown(node.name))
        elif isinstance(node, nodes.Filter) and node.name not in FILTERS:
            refuse(
                _l(
                    "Filter |%(name)s tidak didukung. Yang dapat dipakai: %(known)s.",
                    name=node.name,
                    known=", ".join(FILTERS),
                )
            )
        elif isinstance(node, nodes.Test) and node.name not in TESTS:
            refuse(_l('Uji "is %(name)s" tidak didukung.', name=node.name))
    if not problems:
        try:
            _sandbox.from_string(source)
        except (TemplateSyntaxError, TemplateAssertionError) as error:
            refuse(_l("Penulisan templat salah: %(detail)s", detail=str(error)))
    return problems


def _walk(node: nodes.Node):
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return "…"


def _is_getattr_target(tree: nodes.Template, name: nodes.Name) -> bool:
    return any(getattr_node.node is name for getattr_node in tree.find_all(nodes.Getattr))


def _first_attr(allowed: dict, obj: str) -> str:
    return next(name.partition(".")[2] for name in allowed if name.startswith(f"{obj}."))


def _describe(node: nodes.Node) -> str:
    words = {
        nodes.For: "{% for %}",
        nodes.Include: "{% include %}",
        nodes.Import: "{% import %}",
        nodes.FromImport: "{% from %}",
        nodes.Extends: "{% extends %}",
        nodes.Macro: "{% macro %}",
        nodes.Assign: "{% set %}",
        nodes.AssignBlock: "{% set %}",
        nodes.Call: "( )",
        nodes.Getitem: "[ ]",
    }
    return next((text for kind, text in words.items() if isinstance(node, kind)), type(node).__name__)
