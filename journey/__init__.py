"""Where a shopper is in their buying journey: the stage machine, journey events, guidance toward checkout, abandonment, the funnel and purchase propensity."""
