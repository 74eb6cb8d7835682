"""The library tests, one file per public module of softmax_lib plus the cross-cutting
test_errors, test_properties and test_accuracy. A package so that every test file imports the
one module of reference implementations, ``oracles.py``, relatively (``from .oracles import``)."""
