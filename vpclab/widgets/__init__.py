"""The widgets layer: the interactive console (ipywidgets 8). No logic of its own."""
