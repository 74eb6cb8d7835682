"""Re-run chapters top to bottom in a fresh kernel and save their outputs in place.

    python tools/execute_notebooks.py                 # every chapter
    python tools/execute_notebooks.py chapters/x.ipynb

The committed outputs are what nbval compares against, so they must come from a clean run,
in the project's environment, from the chapters/ folder (as the book build runs them).
Widget state is not stored: model ids change every run and the site re-executes anyway.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
# The same numpy/OpenBLAS kernels as nbval and the book build (see the Makefile): outputs
# recorded here must compare equal, bit for bit, on any x86-64-v3 machine.
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata.pop("widgets", None)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv):
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"{path.relative_to(ROOT)}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
