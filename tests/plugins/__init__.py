"""Plugin discovery through entry points, with a tiny installed package."""
