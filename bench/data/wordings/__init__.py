"""Hand-written ticket wordings of the development corpus, one module per area of the desk."""
