"""The build-time figure pipeline: registry specs, cache keys, parallel rendering and the MkDocs hook."""
