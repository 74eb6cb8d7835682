"""Speed and accuracy benchmarks of softmax_lib (``make bench``).

- ``benchmarks.cases``: the adversarial case set and its exact (mpmath) references, shared by
  the accuracy benchmark, the library's accuracy tests and the appendix "How exact and how
  fast";
- ``benchmarks.targets``: the one table of accuracy targets, read by all three;
- ``python -m benchmarks.accuracy``: the accuracy table (library, scipy.special, naive);
- ``python -m benchmarks.speed``: the speed table.
"""
