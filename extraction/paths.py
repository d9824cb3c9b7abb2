"""Where the repository's data folders are (configs/, models/, samples/)."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIGS_DIR = Path(os.environ.get("NIANBAO_CONFIGS", REPO_ROOT / "configs"))
MODELS_DIR = Path(os.environ.get("NIANBAO_MODELS", REPO_ROOT / "models"))
SAMPLES_DIR = REPO_ROOT / "samples"
# the shared corpus beside the repository (tests and training read it; the runtime never needs it)
SHARED_DIR = Path(os.environ.get("NIANBAO_SHARED", REPO_ROOT.parent / "shared"))
CORPUS_DIR = SHARED_DIR / "corpus"
