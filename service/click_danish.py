"""Click's own words in Danish, like the rest of the `tvaers` command's messages.

Click marks every message it prints for gettext (`from gettext import gettext as _` in each of its
modules). `install()` points those names at the table below instead of at a process-wide gettext
domain, so nothing else in the process changes; a message not in the table stays English.
Called by `service.cli` before its commands are declared (click names path types at declaration).
"""

from __future__ import annotations

import importlib

import click

__all__ = ["DANISH", "install", "use_danish_metavars"]

DANISH: dict[str, str] = {
    # Help
    "Usage:": "Brug:",
    "Options": "Tilvalg",
    "Commands": "Kommandoer",
    "Positional arguments": "Argumenter",
    "Show this message and exit.": "Vis denne hjælp og afslut.",
    "Show the version and exit.": "Vis versionen og afslut.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "standard: {default}",
    "required": "påkrævet",
    "env var: {var}": "miljøvariabel: {var}",
    "deprecated": "forældet",
    "(dynamic)": "(dynamisk)",
    # Errors
    "Error: {message}": "Fejl: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' for at få hjælp.",
    "Missing argument": "Mangler argumentet",
    "Missing option": "Mangler tilvalget",
    "Missing parameter": "Mangler parameteren",
    "Missing {param_type}": "Mangler {param_type}",
    "Missing parameter: {param_name}": "Mangler parameteren: {param_name}",
    "Missing command.": "Mangler en kommando.",
    "No such command {name!r}.": "Kommandoen {name!r} findes ikke.",
    "No such option {name!r}.": "Tilvalget {name!r} findes ikke.",
    "Option {name!r} does not take a value.": "Tilvalget {name!r} tager ingen værdi.",
    "Invalid value for {param_hint}: {message}": "Ugyldig værdi for {param_hint}: {message}",
    "Invalid value: {message}": "Ugyldig værdi: {message}",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tager {nargs} værdier.",
    "Aborted!": "Afbrudt!",
    "unknown error": "ukendt fejl",
    "Choose from:\n\t{choices}": "Vælg mellem:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} er ikke i intervallet {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldigt tal.",
    "{value!r} is not a valid UUID.": "{value!r} er ikke et gyldigt UUID.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} er ikke en gyldig sandhedsværdi. Brug en af: {states}"
    ),
    "file": "fil",
    "directory": "mappe",
    "path": "sti",
    "{name} {filename!r} does not exist.": "{name} {filename!r} findes ikke.",
    "{name} {filename!r} is a file.": "{name} {filename!r} er en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} er en mappe.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan ikke læses.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} kan ikke skrives.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} kan ikke køres.",
    "Could not open file {filename!r}: {message}": "Kunne ikke åbne {filename!r}: {message}",
    # Prompts
    "Do you want to continue?": "Vil du fortsætte?",
    "Confirm the action without prompting.": "Bekræft uden at spørge.",
    "Repeat for confirmation": "Gentag for at bekræfte",
    "Error: The two entered values do not match.": "Fejl: De to værdier er ikke ens.",
    "Error: invalid input": "Fejl: ugyldigt svar",
    "Press any key to continue...": "Tryk på en tast for at fortsætte …",
}

DANISH_PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Uventet ekstra argument ({args})",
        "Uventede ekstra argumenter ({args})",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Tilvalget {name!r} kræver en værdi.",
        "Tilvalget {name!r} kræver {nargs} værdier.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} er ikke {choice}.",
        "{value!r} er ikke en af {choices}.",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Mente du {possibility}?",
        "(Mente du en af: {possibilities}?)",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Tager {nargs} værdier, men fik 1.",
        "Tager {nargs} værdier, men fik {len}.",
    ),
}

_CLICK_MODULES = (
    "core",
    "decorators",
    "exceptions",
    "formatting",
    "parser",
    "termui",
    "types",
    "utils",
)


def gettext(message: str) -> str:
    return DANISH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    danish = DANISH_PLURALS.get((singular, plural))
    if danish is None:
        return singular if n == 1 else plural
    return danish[0] if n == 1 else danish[1]


def install() -> None:
    """Make click speak Danish in this process (idempotent)."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        for attribute, replacement in (("_", gettext), ("ngettext", ngettext)):
            if hasattr(module, attribute):
                setattr(module, attribute, replacement)


def use_danish_metavars(command: click.Command) -> None:
    """`[OPTIONS]` and `COMMAND [ARGS]...` in usage lines, for a command and its subcommands."""
    command.options_metavar = "[TILVALG]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "KOMMANDO [ARGUMENTER]..."
        for sub in command.commands.values():
            use_danish_metavars(sub)
