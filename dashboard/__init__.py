"""The reviewers' dashboard (FastAPI, server-rendered, assets served locally)."""
