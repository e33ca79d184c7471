"""The lab: the whole pipeline without a phone (DESIGN.md "The lab")."""
