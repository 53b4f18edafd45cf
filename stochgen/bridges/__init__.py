"""Optional bridges to other frameworks."""
