"""ChainAtlas services package."""
