"""The ``geo-cds`` command line: thin commands over the library (see ``main.py``)."""
