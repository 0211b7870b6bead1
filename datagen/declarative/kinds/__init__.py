"""The leaf generators of a `fields:` mapping, one module per family: each
compiles its spec once into a maker, a closure of (context, scopes) that
draws one value from the document's seeded streams."""
