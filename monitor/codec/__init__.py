"""How personal information is spelled and packed: the transform lattice of a watched value, the
decoding of captured requests, and the multi-pattern search. A library of pure functions that
the analysis, the live count and the readers (redaction, decoded views) all use."""
