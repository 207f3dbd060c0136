"""Every command, option and argument of the command line says what it is for, and every listing offers the same
formats the same way."""

from __future__ import annotations

import argparse

import pytest

from postmortem_actions.server.cli.main import parser

LISTINGS = ("list", "postmortems", "extract", "overdue", "agenda", "summary", "report")


def _commands() -> dict[str, argparse.ArgumentParser]:
    [sub] = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _helps() -> dict[str, str | None]:
    [sub] = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {choice.dest: choice.help for choice in sub._choices_actions}


def test_every_command_has_help() -> None:
    helps = _helps()
    assert set(helps) == set(_commands())
    assert all(helps.values()), [name for name, text in helps.items() if not text]


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_option_and_argument_of_every_command_has_help(command: str) -> None:
    missing = [
        "/".join(action.option_strings) or action.dest
        for action in _commands()[command]._actions
        if not isinstance(action, argparse._HelpAction) and not (action.help and action.help.strip())
    ]
    assert missing == [], f"{command}: {missing} have no help"


def test_the_program_s_own_options_have_help() -> None:
    assert all(a.help for a in parser()._actions), "every top-level option and the command list have help"


@pytest.mark.parametrize("command", LISTINGS)
def test_every_listing_offers_table_json_md_and_csv(command: str) -> None:
    [fmt] = [a for a in _commands()[command]._actions if "--format" in a.option_strings]
    assert list(fmt.choices or ()) == ["table", "json", "md", "csv"]
    assert fmt.help is not None
    assert fmt.help.startswith("table (for people), json (the data), md (Markdown) or csv (spreadsheets); default: ")


def test_no_decision_command_has_a_flag_that_skips_the_questions() -> None:
    for command in ("decide", "triage", "defer", "revive", "reopen"):
        flags = {flag for a in _commands()[command]._actions for flag in a.option_strings}
        assert flags <= {"-h", "--help", "--db", "--until"}, (command, flags)
