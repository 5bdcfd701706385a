"""Server-rendered pages: Vietnamese, mobile-first, no JavaScript."""
