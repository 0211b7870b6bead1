"""`verify`: outputs read back and checked against their run's record."""
