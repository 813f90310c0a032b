"""`resolutionflow flows`: checking flow files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from resolutionflow.cli.common import console, err_console, handle_errors, print_json
from resolutionflow.cli.data import _load_json
from resolutionflow.errors import Problem
from resolutionflow.flows.structure import validate_tree

app = typer.Typer(help="Flows.", no_args_is_help=True)


def _problems_of(doc: Any) -> list[Problem]:
    """A file may hold a bare tree_structure, one flow object, or an array of flows."""
    if isinstance(doc, list):
        out: list[Problem] = []
        for index, item in enumerate(doc):
            label = item.get("key") or item.get("name") if isinstance(item, dict) else None
            where = f"flows[{index}]" + (f" ({label})" if label else "")
            out += [Problem(f"{where} {p.location}", p.message) for p in _problems_of(item)]
        return out
    if isinstance(doc, dict) and "tree_structure" in doc:
        return validate_tree(doc["tree_structure"])
    return validate_tree(doc)


@app.command("validate")
@handle_errors
def validate(
    file: Path = typer.Argument(..., help="A flow JSON file (tree, flow object or array)."),
    json_out: bool = typer.Option(False, "--json", help="Print the problems as a JSON array."),
) -> None:
    """Check a flow against every structure rule; exit 1 if anything is wrong."""
    problems = _problems_of(_load_json(file))
    if json_out:
        print_json([p.as_dict() for p in problems])
    elif problems:
        for problem in problems:
            err_console.print(f"node {problem.location}: {problem.message}", highlight=False,
                              soft_wrap=True)  # fmt: skip
        err_console.print(f"{file}: {len(problems)} problem(s)")
    else:
        console.print(f"{file}: valid")
    if problems:
        raise typer.Exit(1)
