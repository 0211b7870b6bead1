"""Pictures: a model's graph as Graphviz text or an image, and events charted by
hour of day."""
