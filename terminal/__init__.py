"""hotline-terminal: the operator desk of an air-deconfliction hotline."""
