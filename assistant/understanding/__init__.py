"""Understanding a shopper's words: the intent classifier and its tuned encoder, slot rules, spelling, evaluation and the intent examples."""
