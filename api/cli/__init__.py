"""The curator CLI, `praktijkbank`."""
