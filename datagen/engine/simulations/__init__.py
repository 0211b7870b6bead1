"""Built-in simulations, a module each: the SIMULATIONS registry imports every
module here on its first lookup (see datagen.engine.model)."""
