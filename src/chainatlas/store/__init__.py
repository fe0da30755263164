"""ChainAtlas store package."""
