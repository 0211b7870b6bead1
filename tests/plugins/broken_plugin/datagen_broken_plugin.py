"""A plugin whose module cannot be imported: datagen must report it and go on."""

from __future__ import annotations

import nope  # noqa: F401 - the missing dependency the tests expect


class Thing:
    name = "bad_plugin"
