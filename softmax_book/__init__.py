"""Support code for the course notebooks (explorers, figures). Not part of softmax_lib."""
from softmax_book.explorer import SoftmaxExplorer, explorer_state, render_state

__all__ = ["SoftmaxExplorer", "explorer_state", "render_state"]
