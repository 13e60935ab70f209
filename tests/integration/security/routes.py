"""The routes of a service, read from its url_map: what the fuzz and authorisation matrix tests walk."""

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
#: What fills a placeholder no value was given for, by converter (a string otherwise).
UNNAMED = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000000", "path": "x"}


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    rule: str
    endpoint: str

    @property
    def key(self) -> str:
        return f"{self.method} {self.rule}"

    def url(self, values: dict[str, str]) -> str:
        """The rule with each placeholder replaced by values[name] (percent-encoded), or the converter's choice;
        a placeholder `values` does not name gets a value its converter accepts (a new route is walked at once)."""

        def fill(match: re.Match) -> str:
            converter, arguments, name = match.groups()
            if converter == "any":  # the cheapest format to build: a CSV
                choices = re.findall(r"\w+", arguments)
                return "csv" if "csv" in choices else choices[0]
            value = values.get(name, UNNAMED.get(converter, "x"))
            return quote(str(value), safe="%", errors="surrogatepass")

        return PLACEHOLDER.sub(fill, self.rule)

    def placeholders(self) -> list[tuple[str | None, str]]:
        return [(converter, name) for converter, _, name in PLACEHOLDER.findall(self.rule)]


def routes(app) -> list[Route]:
    """Every (method, rule) of `app`, HEAD and OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED_METHODS):
            found.append(Route(app.config["SERVICE"], method, rule.rule, rule.endpoint))
    return sorted(found, key=lambda route: (route.rule, route.method))


def field_names() -> list[str]:
    """Every form field, query argument and JSON property name the services read: where nasty input goes."""
    names: set[str] = set()
    for template in ROOT.glob("services/**/templates/**/*.html"):
        names.update(re.findall(r'name="(\w+)"', template.read_text()))
    for source in ROOT.glob("services/**/*.py"):
        text = source.read_text()
        names.update(re.findall(r"(?:args|form|values)\.get(?:list)?\(\s*\"(\w+)\"", text))
        names.update(re.findall(r"^\s+(\w+) = (?:ma\.)?fields\.", text, flags=re.MULTILINE))
    return sorted(names - {"csrf_token"})
