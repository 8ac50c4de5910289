"""`kyodo build-index` keeps glibc's large blocks in mappings of their own (webapp/cli/memory.py),
so that a fit's freed temporary arrays go back to the system instead of fragmenting the heap."""
import ctypes
import ctypes.util
import subprocess
import sys

import pytest

# In a fresh process: free a large block (glibc then raises its threshold to that size unless it
# is fixed), then print whether the next 1 MiB block got a mapping of its own.
PROBE = """
import ctypes, ctypes.util, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.mallinfo2.restype = Info
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "fixed":
    from webapp.cli.memory import large_blocks_in_own_mappings
    assert large_blocks_in_own_mappings()
libc.free(libc.malloc(8 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)
libc.free(block)
"""


def _glibc_or_skip():
    name = ctypes.util.find_library("c")
    if not name or not hasattr(ctypes.CDLL(name), "mallinfo2"):
        pytest.skip("not glibc 2.33 or newer (no mallinfo2 to observe the heap)")


def _own_mappings(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_after_the_call_a_large_block_gets_its_own_mapping_even_after_a_larger_one_was_freed():
    _glibc_or_skip()
    assert _own_mappings("default") == 0  # glibc's own rule: the 1 MiB block came from the heap
    assert _own_mappings("fixed") == 1


def test_build_index_fixes_the_threshold_before_it_fits(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from webapp.cli import main, memory

    called = []
    monkeypatch.setattr(memory, "large_blocks_in_own_mappings", lambda: called.append(True) or True)
    result = CliRunner().invoke(main, ["build-index"], env={
        "DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}", "KYODO_ENV": "testing", "KYODO_INDEX_DIR": "",
        "KYODO_CITY": "東久留米市"})
    assert called == [True]
    assert "KYODO_INDEX_DIR" in result.output  # then it stopped: snapshots are turned off here
