"""Training pipeline of babylon-perceptual-lipsync: corpus, teacher, models, reference metrics.

Run with Debian's interpreter (/usr/bin/python3), which sees python3-torch, numpy and scipy.
"""
