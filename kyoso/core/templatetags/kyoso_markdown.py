"""``{% load kyoso_markdown %}{{ text|markdown }}``: users' Markdown as safe HTML."""

from django import template
from django.utils.safestring import SafeString

from kyoso.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: object) -> SafeString:
    """Render Markdown; ``None`` and empty values give an empty string."""
    return render_markdown("" if value is None else str(value))
