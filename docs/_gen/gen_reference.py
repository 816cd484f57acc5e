"""mkdocs-gen-files script: write the API reference pages (see reference_pages.py)."""

import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_pages import reference_pages

for path, text in reference_pages().items():
    with mkdocs_gen_files.open(path, "w") as fh:
        fh.write(text)
