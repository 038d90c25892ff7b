"""Microsoft's NCE licence-based price list.

parsing.py reads rows and says what is kept, importer.py imports a file (``pricelist_import``),
writer.py and synthetic.py write files in the same format for the demo catalog and the benchmark.
writer.py and synthetic.py need no Django, so plain scripts can use them.
"""
