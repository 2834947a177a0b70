"""Knowledge base (DXポータル): entries, attachments, people who know, Japanese search."""
