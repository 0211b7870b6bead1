"""The generator service (`datagen serve`): the Eventer tool's HTTP API on
datagen's engine and sinks, with metrics, live tails and a small web studio."""
