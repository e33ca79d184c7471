"""Evidence: JSON views of stored records, bundle export and verification."""
