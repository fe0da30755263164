"""ChainAtlas demo package."""
