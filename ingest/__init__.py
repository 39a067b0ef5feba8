"""Reading practice files, validating them, and writing them to the catalogue."""
