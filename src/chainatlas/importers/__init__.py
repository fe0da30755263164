"""ChainAtlas importers package."""
