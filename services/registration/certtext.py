"""The certificate's wording, which a provincial admin may change within safe limits (docs/certificates.md).

The page's layout (letterhead, number, name, signatory, QR code) is fixed; its three texts are not: the heading,
the line before the name and the sentence after it. They are rendered in Jinja's sandbox and checked before they
are saved, by the template editor's rules for message texts: plain text, the placeholders below and `{% if %}`;
nothing else (no HTML: "<" and ">" are refused, and every placeholder is escaped), and each text within its length.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

_sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)

PLACEHOLDERS = {
    "title": _l("Judul pelatihan (tercetak tebal)"),
    "place": _l("Kabupaten/kota pelatihan"),
    "days": _l("Tanggal pelatihan, mis. 15 – 17 Desember 2026"),
    "jp": _l("Jam pelajaran (JP); kosong bila tidak diisi"),
}
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
)
#: Each text, its default, and its longest length in characters.
DEFAULTS = {
    "heading": ("SERTIFIKAT", 40),
    "given_to": ("diberikan kepada", 100),
    "body": (
        "sebagai peserta {{ title }} yang diselenggarakan di {{ place }} pada {{ days }}"
        "{% if jp %}, sebanyak {{ jp }} jam pelajaran (JP){% endif %}.",
        600,
    ),
}


@dataclass(frozen=True)
class Wording:
    heading: str
    given_to: str
    body: str


def default() -> Wording:
    return Wording(**{key: text for key, (text, _) in DEFAULTS.items()})


def check(key: str, source: str) -> list[str]:
    """What is wrong with one of the texts, in words staff understand (empty when fine)."""
    limit = DEFAULTS[key][1]
    if not source.strip() or len(source) > limit:
        return [_l("Isi teks ini (paling banyak %(n)s huruf).", n=limit)]
    if any(ord(char) < 32 or 0x202A <= ord(char) <= 0x202E or 0x2066 <= ord(char) <= 0x2069 for char in source):
        return [_l("Teks ini memuat karakter yang tidak boleh (baris baru, tab, atau karakter tak terlihat).")]
    if "<" in source or ">" in source:  # the literal text reaches the page as written: no markup in it
        return [_l("Tanpa HTML: tanda < dan > tidak dapat dipakai.")]
    try:
        tree = _sandbox.parse(source)
    except TemplateSyntaxError as error:
        return [_l("Penulisan templat salah: %(detail)s", detail=error.message)]
    problems = []
    for node in _walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            problems.append(_l("Hanya teks, isian dan {% if %} yang dapat dipakai."))
        elif isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            problems.append(_l("Placeholder {{ %(name)s }} tidak dikenal.", name=node.name))
    return list(dict.fromkeys(str(problem) for problem in problems))


def _walk(node: nodes.Node):
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def render(source: str, *, title: str = "", place: str = "", days: str = "", jp: int | None = None) -> Markup:
    """One text of the wording with its placeholders filled (escaped; the training's title in bold)."""
    context = {
        "title": Markup("<strong>%s</strong>") % escape(title),
        "place": place,
        "days": days,
        "jp": jp or "",
    }
    return Markup(_sandbox.from_string(source).render(context))
