import subprocess
import sys


def test_matching_imports_neither_flask_nor_the_database_and_loads_nothing_heavy():
    code = (
        "import sys, matching\n"
        "light = sorted(m for m in sys.modules if m.split('.')[0] in {'sklearn', 'sudachipy', 'scipy'})\n"
        "import matching.index, matching.team, matching.text\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlmodel', 'sqlalchemy', 'webapp'})\n"
        "print(','.join(light) + '|' + ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "|"
