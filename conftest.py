"""Project-wide pytest set-up."""

from kyoso.core.messages import compile_catalogues


def pytest_configure(config):
    # Tests read the English catalogue; keep its .mo in step with the .po.
    compile_catalogues()
