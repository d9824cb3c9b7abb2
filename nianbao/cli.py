"""The ``nianbao`` command. Each command group lives in ``nianbao/commands/`` and
registers itself on ``app``; this file only assembles them."""
from __future__ import annotations

import typer

from nianbao.commands import al, base_model, extract, report, train

app = typer.Typer(
    help="nianbao (年报): read government information-disclosure annual reports into checked records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (extract, train, report, al, base_model):
    module.register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
