"""privmon's own knowledge base: SDKs by code prefix and by host, with company and country.

`data/sdks.json` is curated by hand (each entry names its source); `data/camille_prefixes.json`
is derived from the reference data by `python -m monitor.knowledge.build`.
"""
