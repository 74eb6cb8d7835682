"""Tests of the building blocks of ``softmax_lib._engine``, one file per module (the public
functions are tested in ``tests/lib``)."""
