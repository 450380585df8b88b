"""Shop windows ("vitrines"): a selection of a shop's products, with optional photos."""
