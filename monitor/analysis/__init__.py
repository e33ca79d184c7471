"""Analysis: a pure, repeatable pass over stored data that yields PI matches and findings."""
