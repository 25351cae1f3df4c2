"""Loading, generation, scoring and training of seq2seq checkpoints.

torch and transformers are imported lazily, inside the functions that need them.
"""
