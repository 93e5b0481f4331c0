"""Tools that drive the product from outside: the dialogue-test runner, the shopper simulator and server-process helpers."""
