"""Loaded for every pytest run in the repository, including `pytest chapters/x.ipynb --nbval`.

Committed notebook outputs are compared bit for bit, and numpy's exp/log/sum kernels differ in
the last bits between AVX2 and AVX-512 machines. Kernels started by nbval inherit this
process's environment, and numpy and OpenBLAS read these variables when they load: every
kernel uses numpy's AVX2 (x86-64-v3) kernels and OpenBLAS's Haswell kernels, which any
x86-64-v3 machine has. (The Makefile exports the same for the book build and `make execute`.)
numpy is imported first so that this process keeps its own kernels whatever numpy it has.
"""

import os

import numpy  # noqa: F401

os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
