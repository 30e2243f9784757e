"""One CPU thread for the small training loops of the notes."""
import contextlib

import torch


@contextlib.contextmanager
def one_thread():
    """Run tiny tensors on one thread: splitting each small operation across threads costs far
    more in synchronisation than it saves (20x the CPU on a busy machine). Usable as a decorator."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
