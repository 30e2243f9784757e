"""Fixtures shared by several test files."""
import pytest

from dlnotes.threads import one_thread


@pytest.fixture
def single_thread():
    """Small tensors in long loops: one thread is faster, as in the figure workers."""
    with one_thread():
        yield
