"""Feedback reports for municipalities and the prefecture: data, HTML, PDF, Excel, charts."""
