"""Sign-in, tokens, roles and the account scoping every query goes through."""
