"""The engine layer: questions about connectivity, answered from the model alone."""
