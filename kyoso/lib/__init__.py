"""Small pure helpers with no Django imports: fiscal years and 和暦, codes, Japanese text."""
