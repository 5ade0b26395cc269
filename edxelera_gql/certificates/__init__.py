"""Certificate issuance, numbers, PDFs, downloads and public verification."""
