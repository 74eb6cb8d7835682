"""Support code for the course notebooks: the explorers and the figure style. Not part of
softmax_lib (the library needs numpy only; this package also needs matplotlib and ipywidgets)."""

from softmax_book.explorer import SoftmaxExplorer, explorer_state, render_state

__all__ = ["SoftmaxExplorer", "explorer_state", "render_state"]
