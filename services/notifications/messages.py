"""Message texts: one template per purpose and locale; the first line is the subject."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.timeutil import format_when

TEMPLATES = Path(__file__).resolve().parent / "templates" / "messages"
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)


def render(purpose: str, locale: str, **context) -> tuple[str, str]:
    """Return (subject, body) of the `purpose` message in `locale` (Indonesian when it has no such text)."""
    name = f"{purpose}.{locale}.txt"
    if not (TEMPLATES / name).exists():
        name = f"{purpose}.id.txt"
    event = context.get("event")
    if event is not None:
        context.setdefault("when", format_when(event.starts_at, locale if locale in ("id", "en") else "id"))
    subject, _, body = _env.get_template(name).render(**context).partition("\n")
    return subject.strip(), body.lstrip("\n")
