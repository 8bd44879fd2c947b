"""The evaluation harness and the benchmark of 质策.

`python -m eval run --gold FILE` scores configurations of the assistant against a gold set
(eval/FORMAT.md); `python -m eval bench` measures build and query cost. The scorer is a set of
pure functions (`eval.scoring`), so every figure the harness prints can be checked by hand.
"""
