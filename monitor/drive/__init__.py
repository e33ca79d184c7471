"""privmon drives the app through its scenario by itself (docs/driving.md)."""
