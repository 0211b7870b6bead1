"""The columnar engine: documents made a block of columns at a time (numpy
draws, Arrow arrays) and encoded a block at a time."""
