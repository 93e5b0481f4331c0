"""The shopper simulator: personas that chat with the assistant in many voices, for the funnel and the benchmarks."""
