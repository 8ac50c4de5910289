import subprocess
import sys


def test_importing_nlp_loads_no_dictionary_and_no_web_stack():
    code = ("import sys, nlp, nlp.sudachi as s; "
            "assert s._state['dictionary'] is None; "
            "assert 'sudachipy' not in sys.modules, 'sudachipy imported'; "
            "assert not {'flask', 'sqlmodel'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
