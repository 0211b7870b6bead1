"""Mimesis's methods a block at a time, from Mimesis's own locale data:
vectors.py is the table and `vector_method`; a module per provider family
(person, places, internet, text), the generic builders (choices, numbers,
parts), the locale data (data), argument readers (args) and masks."""
