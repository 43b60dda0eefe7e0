"""The grading toolkit: the ladders most drills share, so that a drill declares its cases and
the reference, and the toolkit does the rest.

- :mod:`.functions`: a function called on cases, its output compared with the reference's.
- :mod:`.modules`: an ``nn.Module`` built from the learner's class, the reference's weights loaded
  into it, its output compared.
- :mod:`.samplers`: a sampler run against a recording mock model, its chain fitted step by step.
- :mod:`.variants`: which catalogued variant behaves like the learner's code.
- :mod:`.coefficients`, :mod:`.dependencies`, :mod:`.optrace`: the open diagnosers, which name
  mistakes no catalog lists.
"""
