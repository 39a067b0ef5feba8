"""Dutch for the words that click and typer print themselves: usage, help panels, errors.

Our own help texts and messages are Dutch already. click and typer translate theirs through
gettext; no Dutch catalogue ships with them, so the CLI installs this small one into the
modules that look their words up (each calls a module-level `_` at run time, and typer keeps
its panel titles in module constants). Words missing here stay English: typer's own copy of click
writes its error sentences as plain literals.
"""

from __future__ import annotations

import importlib

DUTCH: dict[str, str] = {
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Arguments": "Argumenten",
    "Positional arguments": "Argumenten",
    "Commands": "Commando's",
    "Error": "Fout",
    "Error: {message}": "Fout: {message}",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Try '{command} {option}' for help.": "Typ '{command} {option}' voor hulp.",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Missing argument": "Ontbrekend argument",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende parameter",
    "Missing {param_type}": "Ontbrekend: {param_type}",
    "Missing parameter: {param_name}": "Ontbrekende parameter: {param_name}",
    "Missing command.": "Geef een commando.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "No such command {name!r}.": "Onbekend commando {name!r}.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} neemt {nargs} waarden.",
    "Could not open file {filename!r}: {message}": "Kan bestand {filename!r} niet openen: {message}",
    "Aborted!": "Afgebroken.",
    "required": "verplicht",
    "default: {default}": "standaard: {default}",
    "env var: {var}": "omgevingsvariabele: {var}",
    "(dynamic)": "(dynamisch)",
    "unknown error": "onbekende fout",
    "Got unexpected extra argument ({args})": "Onverwacht extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Onverwachte extra argumenten ({args})",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value!r} is not one of {choices}.": "{value!r} is geen van {choices}.",
    "{value!r} is not a valid boolean.": "{value!r} is geen geldige ja/nee-waarde.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "file": "bestand",
    "directory": "map",
    "path": "pad",
    "integer": "geheel getal",
    "float": "getal",
    "Install completion for the current shell.": "Installeer aanvulling voor deze shell.",
    "Show completion for the current shell, to copy it or customize the installation.":
        "Toon de aanvulling voor deze shell, om te kopiëren of de installatie aan te passen.",
}

# typer's rich help: panel titles and markers, evaluated when typer.rich_utils is imported.
RICH_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "Argumenten",
    "OPTIONS_PANEL_TITLE": "Opties",
    "COMMANDS_PANEL_TITLE": "Commando's",
    "ERRORS_PANEL_TITLE": "Fout",
    "ABORTED_TEXT": "Afgebroken.",
    "DEFAULT_STRING": "[standaard: {}]",
    "ENVVAR_STRING": "[omgevingsvariabele: {}]",
    "REQUIRED_LONG_STRING": "[verplicht]",
    "DEPRECATED_STRING": "(verouderd) ",
    "RICH_HELP": "Typ [blue]'{command_path} {help_option}'[/] voor hulp.",
}

_MODULES = ("click.core", "click.exceptions", "click.formatting", "click.parser", "click.types",
            "click.decorators", "typer.core", "typer.main", "typer.rich_utils", "typer._click.parser")
# typer >= 0.29 carries its own copy of click, whose words are plain literals; its usage line
# takes a prefix, so that one is set here. Its error sentences stay English.
_FORMATTERS = ("click.formatting", "typer._click.formatting")


def translate(message: str) -> str:
    return DUTCH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


def _dutch_usage(write_usage):
    def write(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, "Gebruik: " if prefix is None else prefix)

    write._dutch = True
    return write


def install() -> None:
    """Make click and typer speak Dutch in this process."""
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a module that a newer version dropped
            continue
        if callable(getattr(module, "_", None)):
            module._ = translate  # type: ignore[attr-defined]
        if callable(getattr(module, "ngettext", None)):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    for name in _FORMATTERS:
        try:
            formatter = importlib.import_module(name).HelpFormatter
        except (ImportError, AttributeError):  # pragma: no cover
            continue
        if not getattr(formatter.write_usage, "_dutch", False):
            formatter.write_usage = _dutch_usage(formatter.write_usage)
    rich = importlib.import_module("typer.rich_utils")
    for constant, text in RICH_CONSTANTS.items():
        if hasattr(rich, constant):
            setattr(rich, constant, text)
