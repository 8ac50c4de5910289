import subprocess
import sys


def test_importing_nlp_loads_no_dictionary_and_no_web_stack():
    code = ("import sys, nlp, nlp.sudachi as s; "
            "assert s._state['dictionary'] is None; "
            "assert 'sudachipy' not in sys.modules, 'sudachipy imported'; "
            "assert not {'flask', 'sqlmodel'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_nlp_leaves_scikit_learn_for_the_models_that_need_it():
    # The package's names load on first use (PEP 562): normalizing text or finding personal
    # information must not cost a process scikit-learn and SciPy's import (about a second).
    code = ("import sys, nlp; from nlp.personal_info import find_personal_info; "
            "nlp.normalize('テスト'); nlp.Analyzer; "
            "assert not {'sklearn', 'scipy'} & {m.split('.')[0] for m in sys.modules}, 'sklearn imported'; "
            "nlp.TextVectorizer; assert 'sklearn' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_of_nlp_is_its_module_object():
    import importlib

    import nlp

    for name in nlp.__all__:
        value = getattr(nlp, name)
        module = importlib.import_module(f"nlp.{nlp._EXPORTS[name]}") if name in nlp._EXPORTS \
            else importlib.import_module("nlp.normalize")
        assert value is getattr(module, name), name
    assert set(dir(nlp)) >= set(nlp.__all__)


def test_all_lists_exactly_the_public_names():
    import nlp

    assert set(nlp.__all__) == {*nlp._EXPORTS, "DEFAULT_MAX_LENGTH", "clean", "normalize"}
