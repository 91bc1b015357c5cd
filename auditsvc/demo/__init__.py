"""Demo data for trying the service (``manage.py seed_demo``), at the top: it uses every layer.

Everything is made through the same services production uses, so the
bureau log holds real, signed decisions. It refuses to run unless DEBUG is
on or ``--force`` is given.
"""
