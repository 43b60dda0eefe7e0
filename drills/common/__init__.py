"""Content shared by several drills: the lesson's blocks, the sampler laws, the schedule
expressions the open diagnosers name. Learner files never import it: ``# dli-drill: include``
lines copy definitions into the files a learner gets (engine/drills/sources.py)."""
